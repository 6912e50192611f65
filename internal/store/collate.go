package store

import (
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"modernc.org/sqlite"
)

// Collation names an ordering of text for a reader's language. The zero value is the database's
// default (binary) order, which the indexes of every text column serve.
type Collation string

// Collations.
const (
	// CollationDefault is the database's own text order (code points in SQLite, the database
	// collation in PostgreSQL).
	CollationDefault Collation = ""
	// CollationPinyin orders Chinese text by pinyin (CLDR's zh order: 阿 < 北 < 成 < 张): ICU's
	// "zh-Hans-x-icu" on PostgreSQL, and on SQLite the "pinyin" collation this package
	// registers with the driver (golang.org/x/text/collate, language zh).
	CollationPinyin Collation = "pinyin"
)

// sqlitePinyin is the name of the collation registered with the SQLite driver.
const sqlitePinyin = "pinyin"

// postgresPinyin is the ICU collation PostgreSQL ships for Simplified Chinese.
const postgresPinyin = "zh-Hans-x-icu"

// Collate renders expr in collation c ("" leaves it as it is).
func (sqliteDialect) Collate(expr string, c Collation) string {
	if c == CollationPinyin {
		return expr + " COLLATE " + sqlitePinyin
	}
	return expr
}

// Collate renders expr in collation c ("" leaves it as it is).
func (postgresDialect) Collate(expr string, c Collation) string {
	if c == CollationPinyin {
		return expr + ` COLLATE "` + postgresPinyin + `"`
	}
	return expr
}

// collators are zh collators: a collate.Collator keeps buffers and is not safe for concurrent
// use, and SQLite calls the collation from every reader connection at once.
var collators = sync.Pool{New: func() any { return collate.New(language.Chinese) }}

// ComparePinyin compares a and b in pinyin order, the SQLite "pinyin" collation. Strings the
// collator finds equal (case or width variants, ignorable characters) are ordered by their
// bytes, so the order is total and equality means identical — as with PostgreSQL's
// deterministic ICU collations, which keyset paging relies on.
func ComparePinyin(a, b string) int {
	if a == b {
		return 0
	}
	c := collators.Get().(*collate.Collator)
	r := c.CompareString(a, b)
	collators.Put(c)
	if r != 0 {
		return r
	}
	return strings.Compare(a, b)
}

var registerOnce sync.Once

// registerSQLiteCollations registers the collations with the SQLite driver, once per process;
// every connection opened afterwards (writer and readers) has them. Nothing in the schema uses
// them — no index or column default — so other tools can still open the file.
func registerSQLiteCollations() {
	registerOnce.Do(func() {
		sqlite.MustRegisterCollationUtf8(sqlitePinyin, ComparePinyin)
	})
}
