package store

import (
	"strconv"
	"strings"

	"github.com/meridian-crm/meridian/internal/metadata"
)

// Dialect hides the differences between SQLite and PostgreSQL from the code that builds SQL.
type Dialect interface {
	// Name is "sqlite" or "postgres".
	Name() string
	// Placeholder returns the n-th (1-based) bind parameter marker.
	Placeholder(n int) string
	// ColumnType returns the SQL type of an attribute's column.
	ColumnType(a *metadata.Attribute) string
	// Encode converts a typed Go value of an attribute into a bind argument.
	Encode(a *metadata.Attribute, v any) any
	// BulkValue converts a typed Go value of an attribute into a BulkInsert argument (binary COPY
	// on PostgreSQL wants native types; SQLite takes what Encode gives).
	BulkValue(a *metadata.Attribute, v any) any
	// Decode converts a scanned column value back into the attribute's typed Go value.
	Decode(a *metadata.Attribute, raw any) (any, error)
	// ILike renders a case-insensitive LIKE of expr against pattern (which uses \ as escape).
	ILike(expr, pattern string) string
	// DatePart renders the extraction of part (year, month, day, hour, minute, second) as an integer.
	DatePart(part, expr string, a *metadata.Attribute) string
	// Collate renders expr compared and ordered in collation c (CollationDefault: expr as is).
	Collate(expr string, c Collation) string
	// IsUniqueViolation reports whether err is a unique-constraint violation.
	IsUniqueViolation(err error) bool
	// IsRetryable reports whether a transaction failed from a serialization conflict or a busy database.
	IsRetryable(err error) bool
	// IsUndefinedObject reports whether err names a table or column that does not exist: a
	// statement built from a data model that another server changed meanwhile.
	IsUndefinedObject(err error) bool
}

// Quote quotes an SQL identifier; both dialects use double quotes.
func Quote(ident string) string {
	return `"` + strings.ReplaceAll(ident, `"`, `""`) + `"`
}

type sqliteDialect struct{}

// SQLite is the dialect of the embedded database.
var SQLite Dialect = sqliteDialect{}

func (sqliteDialect) Name() string             { return "sqlite" }
func (sqliteDialect) Placeholder(n int) string { return "?" + strconv.Itoa(n) }

type postgresDialect struct{}

// Postgres is the PostgreSQL dialect.
var Postgres Dialect = postgresDialect{}

func (postgresDialect) Name() string             { return "postgres" }
func (postgresDialect) Placeholder(n int) string { return "$" + strconv.Itoa(n) }

// Args accumulates bind arguments and hands out placeholders in order.
type Args struct {
	D    Dialect
	List []any
}

// Add appends v and returns its placeholder.
func (a *Args) Add(v any) string {
	a.List = append(a.List, v)
	return a.D.Placeholder(len(a.List))
}
