package audit

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"strconv"
)

// hashVersion names the canonical serialization below; a future format gets a new name.
const hashVersion = "meridian-audit-v1"

// timeFormat is the canonical text of an entry's time: UTC with exactly six fractional digits.
const timeFormat = "2006-01-02T15:04:05.000000Z"

// Canonical returns the bytes an entry's hash covers: the fields below, in this order, each as a
// netstring (its length in bytes in decimal, ':', the bytes, ','). Absent values are empty
// strings; numbers are decimal; the time is timeFormat; ids are lower-case hyphenated UUIDs;
// changes is the stored JSON text as is.
//
//	meridian-audit-v1, prev_hash, tenant_id, seq, id, at, action, entity, record_id,
//	record_version, user_id, user_name, method, ip, user_agent, request_id, changes
func (e *Entry) Canonical() []byte {
	fields := []string{
		hashVersion, e.PrevHash, e.TenantID, strconv.FormatInt(e.Seq, 10), e.ID, e.At.UTC().Format(timeFormat),
		e.Action, e.Entity, e.RecordID, "", e.UserID, e.UserName, e.Method, e.IP, e.UserAgent, e.RequestID,
		string(e.Changes),
	}
	if e.RecordVersion != 0 {
		fields[9] = strconv.FormatInt(e.RecordVersion, 10)
	}
	n := 0
	for _, f := range fields {
		n += len(f) + 24
	}
	b := make([]byte, 0, n)
	for _, f := range fields {
		b = strconv.AppendInt(b, int64(len(f)), 10)
		b = append(b, ':')
		b = append(b, f...)
		b = append(b, ',')
	}
	return b
}

// ComputeHash returns the lower-case hex SHA-256 of the entry's canonical form. Since the form
// starts with the previous entry's hash, each hash covers the whole chain before it.
func (e *Entry) ComputeHash() string {
	sum := sha256.Sum256(e.Canonical())
	return hex.EncodeToString(sum[:])
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
