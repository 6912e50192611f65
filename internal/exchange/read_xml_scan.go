package exchange

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/meridian-crm/meridian/internal/fault"
)

// xmlPart reads one XML part of a workbook as a stream of tokens: start tags (local name and
// attributes), end tags and text. It is a small scanner for what SpreadsheetML parts hold —
// elements, attributes, text with the predefined and numeric character references, CDATA,
// comments and processing instructions, all in UTF-8 — rather than encoding/xml, which costs
// about a microsecond and several allocations per token (9 of the 10 seconds that reading a
// 100,000-row worksheet took), and which holds a whole token in memory before returning it.
// Here no text may be longer than max bytes, no tag longer than maxTag, and elements may not
// nest deeper than maxDepth: a part that breaks one is refused before it is held in memory
// (comments and processing instructions are skipped, never held). Document type declarations
// (and so entity definitions) are refused. Start and end tags are not matched against each
// other: the readers only look for the elements they know.
type xmlPart struct {
	name  string
	rc    io.ReadCloser
	r     *bufio.Reader
	max   int // bytes of one text token (references decoded)
	depth int

	kind   tokenKind
	local  []byte // the local name of a start or end tag
	text   []byte // the text of a text token, references decoded
	attrs  []byte // the attributes of a start tag: local name, 0, value, 0, …
	closed bool   // the start tag was self-closing: its end tag comes next
	qname  []byte // scratch for a qualified name
	lname  []byte // the local name of a start tag
}

type tokenKind uint8

const (
	tokenStart tokenKind = iota + 1
	tokenEnd
	tokenText
)

// maxDepth is how deep elements may nest in a part: a worksheet nests seven deep
// (worksheet/sheetData/row/c/is/r/t).
const maxDepth = 32

// maxTag is the size of a tag with its attributes: a worksheet's are a few dozen bytes.
const maxTag = 64 << 10

// errLongText is a text token longer than the part's limit; the readers name the cell.
var errLongText = errors.New("exchange: a text of the workbook is over the cell limit")

// openPart starts reading part f; no text may be longer than maxText bytes.
func openPart(f *zip.File, maxText int) (*xmlPart, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, fault.Wrap(fault.Invalid, "unsupported_format", "the workbook's part "+f.Name+" cannot be read", err)
	}
	return &xmlPart{name: f.Name, rc: rc, r: bufio.NewReaderSize(rc, 64<<10), max: maxText}, nil
}

func (p *xmlPart) close() error { return p.rc.Close() }

// is reports whether the current tag's local name is local.
func (p *xmlPart) is(local string) bool { return string(p.local) == local }

// attr returns the value of the current start tag's attribute with the local name, or "".
func (p *xmlPart) attr(local string) string {
	a := p.attrs
	for len(a) > 0 {
		name, rest, _ := bytes.Cut(a, []byte{0})
		value, rest, _ := bytes.Cut(rest, []byte{0})
		if string(name) == local {
			return string(value)
		}
		a = rest
	}
	return ""
}

func (p *xmlPart) tagTooLarge() error {
	return overLimit("tag_too_large", "", "the workbook's part %s holds a tag of more than %d bytes", p.name, maxTag)
}

// longText turns errLongText into the fault of a text over the limit, where the reader cannot
// name a cell.
func (p *xmlPart) longText(err error) error {
	if errors.Is(err, errLongText) {
		return overLimit("cell_too_large", "MERIDIAN_IMPORT_MAX_CELL_BYTES", "the workbook's part %s holds a text of more than %d bytes", p.name, p.max)
	}
	return err
}

func (p *xmlPart) malformed(what string) error {
	return fault.Newf(fault.Invalid, "unsupported_format", "the workbook's part %s is not valid XML: %s", p.name, what)
}

// byte reads the next byte of the current token.
func (p *xmlPart) byte() (byte, error) {
	c, err := p.r.ReadByte()
	if err == io.EOF {
		return 0, p.malformed("it ends inside a tag")
	}
	return c, err
}

// next reads the next token; io.EOF at the end of the part.
func (p *xmlPart) next() (tokenKind, error) {
	if p.closed {
		p.closed, p.kind = false, tokenEnd
		p.depth--
		return p.kind, nil
	}
	for {
		c, err := p.r.ReadByte()
		if err != nil {
			return 0, err // io.EOF between tokens: the end
		}
		if c != '<' {
			p.r.UnreadByte()
			return p.textToken()
		}
		c, err = p.byte()
		if err != nil {
			return 0, err
		}
		switch c {
		case '/':
			if err := p.readName(c, true); err != nil {
				return 0, err
			}
			p.kind = tokenEnd
			p.depth--
			return p.kind, nil
		case '?':
			if err := p.skipTo("?>"); err != nil {
				return 0, err
			}
		case '!':
			if done, err := p.bang(); done || err != nil {
				return p.kind, err
			}
		default:
			if err := p.startTag(c); err != nil {
				return 0, err
			}
			if p.depth++; p.depth > maxDepth {
				return 0, p.malformed("elements nest deeper than " + strconv.Itoa(maxDepth))
			}
			p.kind = tokenStart
			return p.kind, nil
		}
	}
}

// textToken reads text up to the next tag.
func (p *xmlPart) textToken() (tokenKind, error) {
	p.text, p.kind = p.text[:0], tokenText
	for {
		c, err := p.r.ReadByte()
		if err == io.EOF {
			return p.kind, nil
		}
		if err != nil {
			return 0, err
		}
		if c == '<' {
			p.r.UnreadByte()
			return p.kind, nil
		}
		if err := p.textByte(c, true); err != nil {
			return 0, err
		}
		if len(p.text) > p.max {
			return 0, errLongText
		}
	}
}

// textByte appends c to the text, reading a reference when c starts one, and reading line
// ends as XML does (CR LF and a lone CR are LF).
func (p *xmlPart) textByte(c byte, refs bool) error {
	switch {
	case c == '&' && refs:
		return p.reference(&p.text)
	case c == '\r':
		c = '\n'
		if next, err := p.r.Peek(1); err == nil && next[0] == '\n' {
			p.r.ReadByte()
		}
	}
	p.text = append(p.text, c)
	return nil
}

// reference reads a character reference after its '&' and appends the character to dst.
func (p *xmlPart) reference(dst *[]byte) error {
	var name [12]byte
	n := 0
	for {
		c, err := p.byte()
		if err != nil {
			return err
		}
		if c == ';' {
			break
		}
		if n == len(name) {
			return p.malformed("a reference is too long")
		}
		name[n] = c
		n++
	}
	ref := string(name[:n])
	switch ref {
	case "lt":
		*dst = append(*dst, '<')
	case "gt":
		*dst = append(*dst, '>')
	case "amp":
		*dst = append(*dst, '&')
	case "quot":
		*dst = append(*dst, '"')
	case "apos":
		*dst = append(*dst, '\'')
	default:
		if len(ref) < 2 || ref[0] != '#' {
			return p.malformed("unknown entity &" + ref + ";")
		}
		var v uint64
		var err error
		if ref[1] == 'x' {
			v, err = strconv.ParseUint(ref[2:], 16, 32)
		} else {
			v, err = strconv.ParseUint(ref[1:], 10, 32)
		}
		if err != nil || !utf8.ValidRune(rune(v)) {
			return p.malformed("bad character reference &" + ref + ";")
		}
		*dst = utf8.AppendRune(*dst, rune(v))
	}
	return nil
}

// readName reads a tag's qualified name starting with first and keeps its local part; for an
// end tag (end) it also reads up to the closing '>'.
func (p *xmlPart) readName(first byte, end bool) error {
	p.qname = p.qname[:0]
	c := first
	var err error
	if end {
		if c, err = p.byte(); err != nil {
			return err
		}
	}
	for !isSpace(c) && c != '>' && c != '/' {
		p.qname = append(p.qname, c)
		if len(p.qname) > maxTag {
			return p.tagTooLarge()
		}
		if c, err = p.byte(); err != nil {
			return err
		}
	}
	if len(p.qname) == 0 {
		return p.malformed("a tag has no name")
	}
	p.local = localPart(p.qname)
	if end {
		for c != '>' {
			if !isSpace(c) {
				return p.malformed("junk in an end tag")
			}
			if c, err = p.byte(); err != nil {
				return err
			}
		}
		return nil
	}
	return p.r.UnreadByte()
}

func localPart(q []byte) []byte {
	if i := bytes.LastIndexByte(q, ':'); i >= 0 {
		return q[i+1:]
	}
	return q
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// startTag reads a start tag after its '<' and first byte: the name and the attributes.
func (p *xmlPart) startTag(first byte) error {
	if err := p.readName(first, false); err != nil {
		return err
	}
	p.lname = append(p.lname[:0], p.local...) // the attributes reuse qname
	p.local = p.lname
	p.attrs = p.attrs[:0]
	for {
		if len(p.attrs) > maxTag {
			return p.tagTooLarge()
		}
		c, err := p.byte()
		if err != nil {
			return err
		}
		switch {
		case isSpace(c):
			continue
		case c == '>':
			return nil
		case c == '/':
			if c, err = p.byte(); err != nil {
				return err
			}
			if c != '>' {
				return p.malformed("'/' not followed by '>' in a tag")
			}
			p.closed = true
			return nil
		}
		// An attribute: name = "value" or 'value'.
		p.qname = p.qname[:0]
		for c != '=' && !isSpace(c) {
			if c == '>' || c == '/' {
				return p.malformed("an attribute has no value")
			}
			p.qname = append(p.qname, c)
			if len(p.qname) > maxTag {
				return p.tagTooLarge()
			}
			if c, err = p.byte(); err != nil {
				return err
			}
		}
		for isSpace(c) {
			if c, err = p.byte(); err != nil {
				return err
			}
		}
		if c != '=' {
			return p.malformed("an attribute has no value")
		}
		quote, err := p.byte()
		for err == nil && isSpace(quote) {
			quote, err = p.byte()
		}
		if err != nil {
			return err
		}
		if quote != '"' && quote != '\'' {
			return p.malformed("an attribute value is not quoted")
		}
		p.attrs = append(append(p.attrs, localPart(p.qname)...), 0)
		for {
			if c, err = p.byte(); err != nil {
				return err
			}
			if c == quote {
				break
			}
			if len(p.attrs) > maxTag {
				return p.tagTooLarge()
			}
			if c == '<' {
				return p.malformed("'<' in an attribute value")
			}
			if c == '&' {
				if err := p.reference(&p.attrs); err != nil {
					return err
				}
				continue
			}
			p.attrs = append(p.attrs, c)
		}
		p.attrs = append(p.attrs, 0)
	}
}

// bang reads what follows "<!": a comment (skipped), CDATA (a text token: done) or a document
// type declaration (refused).
func (p *xmlPart) bang() (done bool, err error) {
	head, _ := p.r.Peek(7)
	switch {
	case bytes.HasPrefix(head, []byte("--")):
		p.r.Discard(2)
		return false, p.skipTo("-->")
	case bytes.Equal(head, []byte("[CDATA[")):
		p.r.Discard(7)
		p.text, p.kind = p.text[:0], tokenText
		for !bytes.HasSuffix(p.text, []byte("]]>")) {
			c, err := p.byte()
			if err != nil {
				return false, err
			}
			if err := p.textByte(c, false); err != nil {
				return false, err
			}
			if len(p.text) > p.max+3 {
				return false, errLongText
			}
		}
		p.text = p.text[:len(p.text)-3]
		return true, nil
	}
	return false, p.malformed("document type declarations are not allowed")
}

// skipTo reads up to and including end.
func (p *xmlPart) skipTo(end string) error {
	matched := 0
	for matched < len(end) {
		c, err := p.byte()
		if err != nil {
			return err
		}
		switch {
		case c == end[matched]:
			matched++
		case c == end[0]:
			matched = 1
		default:
			matched = 0
		}
	}
	return nil
}
