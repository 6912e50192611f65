package exchange

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/meridian-crm/meridian/internal/csvsafe"
	"github.com/meridian-crm/meridian/internal/fault"
)

// Text encodings an import file may be in.
const (
	EncodingUTF8    = "utf-8"
	EncodingUTF8BOM = "utf-8-bom"
	EncodingUTF16LE = "utf-16le"
	EncodingUTF16BE = "utf-16be"
	EncodingGB18030 = "gb18030" // also reads GBK and GB2312, which it extends
)

// fileInfo is what one pass over an import file learns: its digest, format and text encoding.
type fileInfo struct {
	SHA256   string
	Format   Format
	Encoding string // "" for XLSX
}

// sniff reads the file once: it hashes it, tells CSV from XLSX (by content, then extension) and
// detects the text encoding of a CSV file: a byte-order mark wins; a file that is valid UTF-8
// throughout is UTF-8; anything else is read as GB18030 (what Chinese Excel saves as "CSV").
func sniff(path string) (fileInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return fileInfo{}, fault.Wrap(fault.Invalid, "unreadable_file", fmt.Sprintf("cannot open %s", filepath.Base(path)), err)
	}
	defer f.Close()
	h := sha256.New()
	var head []byte
	valid := true
	var carry []byte
	buf := make([]byte, 256<<10)
	for {
		n, err := f.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			h.Write(chunk)
			if len(head) < 4096 {
				head = append(head, chunk[:min(n, 4096-len(head))]...)
			}
			if valid {
				valid, carry = validUTF8Chunk(carry, chunk)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return fileInfo{}, fmt.Errorf("exchange: read %s: %w", path, err)
		}
	}
	if len(carry) > 0 {
		valid = false
	}
	info := fileInfo{SHA256: hex.EncodeToString(h.Sum(nil))}
	ext := strings.ToLower(filepath.Ext(path))
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		info.Format = XLSX
		return info, nil
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return info, fault.New(fault.Invalid, "unsupported_format", "this is an old Excel 97–2003 (.xls) workbook: save it as .xlsx or CSV and import that")
	case ext == ".xlsx" || ext == ".xlsm":
		return info, fault.New(fault.Invalid, "unsupported_format", "the file has an .xlsx name but is not an Excel workbook")
	}
	info.Format = CSV
	switch {
	case bytes.HasPrefix(head, []byte("\xEF\xBB\xBF")):
		info.Encoding = EncodingUTF8BOM
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		info.Encoding = EncodingUTF16LE
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		info.Encoding = EncodingUTF16BE
	case valid:
		info.Encoding = EncodingUTF8
	default:
		info.Encoding = EncodingGB18030
	}
	return info, nil
}

// validUTF8Chunk validates chunk as the continuation of a UTF-8 stream; carry holds the bytes of
// a character cut at the end of the previous chunk. It returns whether the stream is still valid
// and the bytes to carry to the next chunk.
func validUTF8Chunk(carry, chunk []byte) (bool, []byte) {
	b := chunk
	if len(carry) > 0 {
		b = append(append([]byte(nil), carry...), chunk...)
	}
	cut := len(b)
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				cut = i
			}
			break
		}
	}
	if !utf8.Valid(b[:cut]) {
		return false, nil
	}
	return true, append([]byte(nil), b[cut:]...)
}

// table is a source of rows: the header first, then data rows, each with the line (CSV) or row
// number (XLSX) it starts on.
type table interface {
	Next() (cells []string, line int, err error) // io.EOF at the end
	Close() error
}

// openTable opens the rows of a sniffed file, read within lim.
func openTable(path string, info fileInfo, lim Limits) (table, error) {
	if info.Format == XLSX {
		return openXLSX(path, lim)
	}
	return openCSV(path, info.Encoding, lim)
}

type csvTable struct {
	f     *os.File
	r     *csv.Reader
	count counter
	line  int // the line the last record ended on
}

// openCSV opens a CSV file in the given encoding; the delimiter (comma, semicolon or tab) is
// the one that occurs most often outside quotes in the first line.
func openCSV(path, encoding string, lim Limits) (*csvTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("exchange: %w", err)
	}
	var rd io.Reader = f
	switch encoding {
	case EncodingUTF8BOM:
		rd = transform.NewReader(f, unicode.UTF8BOM.NewDecoder())
	case EncodingUTF16LE:
		rd = transform.NewReader(f, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder())
	case EncodingUTF16BE:
		rd = transform.NewReader(f, unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM).NewDecoder())
	case EncodingGB18030:
		rd = transform.NewReader(f, simplifiedchinese.GB18030.NewDecoder())
	}
	head := bufio.NewReaderSize(rd, 64<<10)
	peek, _ := head.Peek(64 << 10)
	delim := detectDelimiter(peek)
	r := csv.NewReader(bufio.NewReaderSize(newRecordGuard(head, byte(delim), lim), 64<<10))
	r.Comma = delim
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	return &csvTable{f: f, r: r, count: counter{l: lim}}, nil
}

// detectDelimiter counts commas, semicolons and tabs outside quotes in the first line of text.
func detectDelimiter(text []byte) rune {
	counts := map[byte]int{}
	quoted := false
	for _, c := range text {
		if c == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if c == '\n' || c == '\r' {
			break
		}
		if c == ',' || c == ';' || c == '\t' {
			counts[c]++
		}
	}
	best, n := byte(','), counts[',']
	for _, c := range []byte{';', '\t'} {
		if counts[c] > n {
			best, n = c, counts[c]
		}
	}
	return rune(best)
}

func (t *csvTable) Next() ([]string, int, error) {
	rec, err := t.r.Read()
	if err != nil {
		var pe *csv.ParseError
		var over *recordTooLarge
		switch {
		case errors.As(err, &over):
			return nil, 0, over.fault(t.line)
		case errors.As(err, &pe):
			return nil, 0, fault.Newf(fault.Invalid, "invalid_csv", "the CSV file is malformed at line %d: %v", pe.StartLine, pe.Err)
		}
		return nil, 0, err
	}
	line, _ := t.r.FieldPos(0)
	t.line, _ = t.r.FieldPos(len(rec) - 1)
	if err := t.count.row(rec, line); err != nil {
		return nil, 0, err
	}
	csvsafe.Unquote(rec)
	return rec, line, nil
}

func (t *csvTable) Close() error { return t.f.Close() }

// readHeader returns the first non-empty row of t.
func readHeader(t table) ([]string, int, error) {
	for {
		cells, line, err := t.Next()
		if err == io.EOF {
			return nil, 0, fault.New(fault.Invalid, "empty_file", "the file has no header row")
		}
		if err != nil {
			return nil, 0, err
		}
		if !blank(cells) {
			return cells, line, nil
		}
	}
}

// blank reports whether every cell is empty or white space.
func blank(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}
