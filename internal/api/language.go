package api

import (
	"net/http"

	"golang.org/x/text/language"

	"github.com/meridian-crm/meridian/internal/store"
)

// collation returns the text order a reader of r expects, from its Accept-Language header:
// pinyin when the preferred language is Chinese in simplified script (zh, zh-CN, zh-Hans, zh-SG),
// the database's default order otherwise — including when the header is missing or malformed.
// Traditional Chinese (zh-TW, zh-HK, zh-Hant) keeps the default: its readers expect stroke or
// zhuyin order, which is not built.
func collation(r *http.Request) store.Collation {
	h := r.Header.Get("Accept-Language")
	if h == "" {
		return store.CollationDefault
	}
	tags, _, err := language.ParseAcceptLanguage(h)
	if err != nil || len(tags) == 0 {
		return store.CollationDefault
	}
	// Tags come sorted by quality, the preferred first.
	t := tags[0]
	if base, _ := t.Base(); base.String() != "zh" {
		return store.CollationDefault
	}
	if script, _ := t.Script(); script.String() != "Hans" {
		return store.CollationDefault
	}
	return store.CollationPinyin
}
