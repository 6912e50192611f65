package api_test

import (
	"bytes"
	"io/fs"
	"mime/multipart"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meridian-crm/meridian/internal/exchange"
	"github.com/meridian-crm/meridian/internal/exchange/exchangetest"
)

// storedFiles lists the files under the import runner's data directory, and its folders too
// when folders is true.
func storedFiles(t *testing.T, dir string, folders bool) []string {
	t.Helper()
	var out []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && p != dir && (folders || !d.IsDir()) {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// uploadBody is a multipart upload of file (as the part "file") after the fields.
func uploadBody(fields map[string]string, name string, file []byte) (string, []byte) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(file)
	_ = mw.Close()
	return mw.FormDataContentType(), body.Bytes()
}

func bombBytes(t *testing.T, name string, n int64) []byte {
	t.Helper()
	for _, b := range exchangetest.Bombs {
		if b.Name == name {
			var buf bytes.Buffer
			if err := b.Write(&buf, []string{"name", "city"}, n); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}
	}
	t.Fatalf("no bomb %s", name)
	return nil
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// TestImportRefusesBombsOverHTTP: an upload that breaks an import limit — the reviewer's 409 KB
// workbook holding a 400 MB inline string, a 400 MB shared strings table, a CSV field of 64 MB,
// a sheet of more rows than allowed — is answered 413 with the error body naming the limit,
// before any job exists, and its file is removed.
func TestImportRefusesBombsOverHTTP(t *testing.T) {
	s, c, dir := importServerWith(t, exchange.Limits{MaxRows: 1000})
	inline := bombBytes(t, "inline-string", 400<<20)
	cases := []struct {
		what, ctype string
		body        []byte
		code        string
	}{
		{"inline string", xlsxType, inline, "cell_too_large"},
		{"shared string", xlsxType, bombBytes(t, "shared-string", 400<<20), "shared_strings_too_large"},
		{"rows", xlsxType, bombBytes(t, "many-rows", 1<<20), "too_many_rows"},
		{"csv field", "text/csv", bombBytes(t, "huge-field", 64<<20), "row_too_large"},
	}
	for _, tc := range cases {
		r := c.send("POST", "imports?entity=accounts", tc.ctype, tc.body).wantError(http.StatusRequestEntityTooLarge, tc.code, "file")
		if !strings.Contains(r.str("error.message"), "MERIDIAN_IMPORT_") {
			t.Errorf("%s: the message does not name the setting: %s", tc.what, r.raw)
		}
	}
	ctype, body := uploadBody(map[string]string{"entity": "accounts"}, "bomb.xlsx", inline)
	c.send("POST", "imports", ctype, body).wantError(http.StatusRequestEntityTooLarge, "cell_too_large", "file")
	if got := c.get("imports").want(http.StatusOK).values(); len(got) != 0 {
		t.Fatalf("refused uploads left %d jobs", len(got))
	}
	if files := storedFiles(t, dir, false); len(files) != 0 {
		t.Fatalf("refused uploads left files: %v", files)
	}
	_ = s
}
