package store

import (
	"fmt"
	"strings"
	"sync"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"modernc.org/sqlite"

	"github.com/meridian-crm/meridian/internal/metadata"
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

// collators is a free list of zh collators: a collate.Collator keeps buffers and is not safe for
// concurrent use, and SQLite calls the collation from every reader connection at once. Not a
// sync.Pool: a collator costs far more to build than a comparison, and a pool is emptied at
// every garbage collection — which the sorting of a large list triggers.
var collators = make(chan *collate.Collator, 16)

func getCollator() *collate.Collator {
	select {
	case c := <-collators:
		return c
	default:
		return collate.New(language.Chinese)
	}
}

func putCollator(c *collate.Collator) {
	select {
	case collators <- c:
	default:
	}
}

// ComparePinyin compares a and b in pinyin order, the SQLite "pinyin" collation. Strings the
// collator finds equal (case or width variants, ignorable characters) are ordered by their
// bytes, so the order is total and equality means identical — as with PostgreSQL's
// deterministic ICU collations, which keyset paging relies on.
func ComparePinyin(a, b string) int {
	if a == b {
		return 0
	}
	c := getCollator()
	r := c.CompareString(a, b)
	putCollator(c)
	if r != 0 {
		return r
	}
	return strings.Compare(a, b)
}

// HasCollation reports whether the database can order text in c. A PostgreSQL built without
// ICU has no zh-Hans-x-icu: readers then get the default order rather than an error.
func (s *Store) HasCollation(c Collation) bool {
	return c == CollationDefault || c == CollationPinyin && s.pinyin
}

// collationIndexes returns the statements that create the pinyin indexes of e on PostgreSQL:
// one on its primary name, when that is a string, in the order and null placement of
// "$orderby=<name>" for a Chinese reader, so that the first page of a list sorted by name is an
// index range scan as it is for everyone else. SQLite gets none: an index in a collation the
// driver registers would make the file unreadable to any tool without it (sqlite3 shell,
// backups checked with another driver); a Chinese list there is sorted at read time.
func collationIndexes(d Dialect, e *metadata.Entity, pinyin bool) []string {
	if d.Name() != "postgres" || !pinyin || e.PrimaryName == "" {
		return nil
	}
	a := e.Attr(e.PrimaryName)
	if a == nil || a.Type != metadata.TypeString {
		return nil
	}
	return []string{fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %s ON %s ("tenant_id", %s NULLS FIRST, "id")`,
		Quote(IndexName("ix", e.Name, a.Name, "zh")), Quote(e.Name), d.Collate(Quote(a.Name), CollationPinyin))}
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
