package dedupe

import (
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// keyCorpus is a spread of values the key functions must keep treating alike: Latin and Chinese
// company names with legal suffixes, full-width forms, e-mail addresses, phone numbers in several
// plans and websites with schemes, ports, paths and user info.
var keyCorpus = []struct {
	entity string
	vals   map[string]any
}{
	{"account", map[string]any{"name": "Import 0001234 Shanghai", "email": "info1234@example.com", "phone": "+86 21 01234567", "website": "https://www.example1234.com"}},
	{"account", map[string]any{"name": "Acme Holdings Co., Ltd", "email": "Sales@ACME.com", "phone": "(415) 555-2671", "website": "acme.com:8080/about"}},
	{"account", map[string]any{"name": "北京东方科技有限公司", "email": "ｉｎｆｏ＠东方.cn", "phone": "１３８００１３８０００", "website": "http://user@www.东方.cn/path?q=1"}},
	{"account", map[string]any{"name": "深圳市腾讯计算机系统有限公司", "phone": "0755-8601 3388 转 123", "website": "HTTPS://WWW.TENCENT.COM"}},
	{"account", map[string]any{"name": "Ｇｌｏｂｅｘ　Ｉｎｔｅｒｎａｔｉｏｎａｌ & Trading GmbH", "email": "not an address", "website": "localhost"}},
	{"account", map[string]any{"name": "X", "phone": "12345"}},
	{"account", map[string]any{"name": "", "email": nil}},
	{"account", map[string]any{"name": "Müller & Söhne AG", "website": "[::1]:443", "phone": "+44 20 7946 0958 ext. 12"}},
	{"contact", map[string]any{"full_name": "Ada Lovelace", "email": "ada@example.org", "phone": "010 6552 9988", "mobile_phone": "13800138000", "account_id": "01a21810-93fc-7a7a-b433-840369aa66dd"}},
	{"contact", map[string]any{"full_name": "王小明", "mobile_phone": "+86 138-0013-8000"}},
	{"lead", map[string]any{"full_name": "Grace Hopper", "company_name": "Remington Rand Inc.", "email": "GRACE@navy.mil", "phone": "1-415-555-2671"}},
	{"lead", map[string]any{"full_name": "李雷", "company_name": "上海华东贸易有限公司"}},
}

// TestKeysAreStable: the index keys of records are stored in databases, so a change to how they
// are computed (normalisation, bigrams, prefix filtering, hashing) would leave every stored key
// stale. These digests were taken from the implementation that first stored them.
func TestKeysAreStable(t *testing.T) {
	want := []string{
		"11:6980c1d1f7b", "8:634627c35c43", "6:343ea172bf16", "7:e74ae8cc5bbe", "10:37e8836590f", "2:896eafe3fe6a",
		"0:e3b0c44298fc", "6:643294eaa9d0", "6:00803a55b778", "3:3c452831d031", "5:336a2641e751", "2:dda74fcf9968",
	}
	for i, c := range keyCorpus {
		if got := keysDigest(c.entity, c.vals); got != want[i] {
			t.Errorf("keys of %s %v: %s, want %s", c.entity, c.vals, got, want[i])
		}
	}
}

// BenchmarkRecordKeys measures computing a record's keys (every write of an account, contact or
// lead does it; an import does it for every row).
func BenchmarkRecordKeys(b *testing.B) {
	for b.Loop() {
		for _, c := range keyCorpus {
			recordKeys("01a21810-933a-7ed4-8082-9fc970929110", c.entity, Defaults(c.entity), c.vals)
		}
	}
}

// keysDigest is how many keys a record has and a digest of them.
func keysDigest(entity string, vals map[string]any) string {
	ks := recordKeys("01a21810-933a-7ed4-8082-9fc970929110", entity, Defaults(entity), vals)
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = strconv.FormatInt(k, 10)
	}
	return fmt.Sprintf("%d:%x", len(ks), sha256.Sum256([]byte(strings.Join(parts, ","))))[:14]
}
