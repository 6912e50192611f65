package demo

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
)

// Ref points to a record generated earlier in the same data set: the Index-th record of Entity
// in insertion order. The loader replaces it with the record's id, which only exists once the
// records service has written it.
type Ref struct {
	Entity string
	Index  int
}

// Row is one record to create. Values are strings, int64, bool, decimal.Decimal (decimals and
// money), time.Time (datetimes), "YYYY-MM-DD" strings (dates) or Ref (lookups).
type Row map[string]any

// Table is a batch of rows of one entity. An entity may appear in several tables (parent
// accounts before their subsidiaries); indexes of Ref count across them in order.
type Table struct {
	Entity string
	Rows   []Row
}

// Patch updates a record after every table is loaded, for references that would otherwise be
// circular (an account's primary contact is a contact of the account).
type Patch struct {
	Target Ref
	Values Row
}

// Link associates two records through a collection navigation (N:N relationships).
type Link struct {
	From Ref
	Nav  string
	To   Ref
}

// Dataset is generated data in dependency order: tables, then patches, then links.
type Dataset struct {
	Tables  []Table
	Patches []Patch
	Links   []Link
}

// add appends rows of entity as a new table (nothing when there are none).
func (d *Dataset) add(entity string, rows []Row) {
	if len(rows) == 0 {
		return
	}
	d.Tables = append(d.Tables, Table{Entity: entity, Rows: rows})
}

// Count returns the number of rows of entity.
func (d *Dataset) Count(entity string) int {
	n := 0
	for _, t := range d.Tables {
		if t.Entity == entity {
			n += len(t.Rows)
		}
	}
	return n
}

// Rows returns every row of entity in insertion order (so that Ref.Index indexes it).
func (d *Dataset) Rows(entity string) []Row {
	var out []Row
	for _, t := range d.Tables {
		if t.Entity == entity {
			out = append(out, t.Rows...)
		}
	}
	return out
}

// Size returns the number of rows, patches and links.
func (d *Dataset) Size() int {
	n := len(d.Patches) + len(d.Links)
	for _, t := range d.Tables {
		n += len(t.Rows)
	}
	return n
}

// Hash returns a SHA-256 digest of the whole content: identical seeds and reference dates give
// identical hashes. JSON encoding sorts map keys, so the order of values in a row is irrelevant.
func (d *Dataset) Hash() string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, t := range d.Tables {
		fmt.Fprintf(h, "table %s %d\n", t.Entity, len(t.Rows))
		for _, r := range t.Rows {
			_ = enc.Encode(r)
		}
	}
	for _, p := range d.Patches {
		_ = enc.Encode(p)
	}
	for _, l := range d.Links {
		_ = enc.Encode(l)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// day formats t as a date value.
func day(t time.Time) string { return t.Format(time.DateOnly) }

// money rounds f to cents.
func money(f float64) decimal.Decimal { return decimal.NewFromFloat(f).Round(2) }
