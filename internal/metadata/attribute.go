package metadata

import "encoding/json"

// Type is the data type of an attribute.
type Type string

// Attribute types.
const (
	TypeString      Type = "string"
	TypeText        Type = "text"
	TypeInteger     Type = "integer"
	TypeDecimal     Type = "decimal"
	TypeMoney       Type = "money"
	TypeBoolean     Type = "boolean"
	TypeDate        Type = "date"
	TypeDateTime    Type = "datetime"
	TypeChoice      Type = "choice"
	TypeMultiChoice Type = "multi_choice"
	TypeLookup      Type = "lookup"
	TypeEmail       Type = "email"
	TypePhone       Type = "phone"
	TypeURL         Type = "url"
	TypeJSON        Type = "json"
	TypeAutonumber  Type = "autonumber"
	// TypeGUID is used for system key columns only.
	TypeGUID Type = "guid"
)

// Types lists the attribute types a definition may use.
var Types = []Type{TypeString, TypeText, TypeInteger, TypeDecimal, TypeMoney, TypeBoolean, TypeDate,
	TypeDateTime, TypeChoice, TypeMultiChoice, TypeLookup, TypeEmail, TypePhone, TypeURL, TypeJSON,
	TypeAutonumber}

// MoneyScale is the number of decimal places money is stored with.
const MoneyScale = 4

// DefaultDecimalScale is the scale of a decimal attribute that does not set one.
const DefaultDecimalScale = 4

// PolymorphicTarget as a lookup's target means the lookup may point to any entity; the entity
// name is kept in a companion "<stem>_type" column.
const PolymorphicTarget = "*"

// Attribute is one field of an entity: one typed column of its table.
type Attribute struct {
	Name        string          `json:"name"`
	Type        Type            `json:"type"`
	DisplayName Label           `json:"display_name"`
	Description string          `json:"description,omitempty"`
	Required    bool            `json:"required,omitempty"`
	Unique      bool            `json:"unique,omitempty"`
	MaxLength   int             `json:"max_length,omitempty"`
	Min         *json.Number    `json:"min,omitempty"`
	Max         *json.Number    `json:"max,omitempty"`
	Scale       *int            `json:"scale,omitempty"` // decimal places of decimal attributes
	Default     json.RawMessage `json:"default,omitempty"`
	Options     []Option        `json:"options,omitempty"`      // choice, multi_choice
	Target      string          `json:"target,omitempty"`       // lookup: entity name or "*"
	ReverseName string          `json:"reverse_name,omitempty"` // lookup: name of the one-to-many navigation on the target
	Format      string          `json:"format,omitempty"`       // autonumber, e.g. "CAS-{seq:6}"
	Indexed     bool            `json:"indexed,omitempty"`      // ask for an index on the column
	OnDelete    string          `json:"on_delete,omitempty"`    // lookup: what deleting the target does: set_null (default), cascade, restrict
	// Secured puts the attribute under field-level security: only callers whose field security
	// profiles allow it may read it, set it on create or change it.
	Secured bool `json:"secured,omitempty"`
	// ReadOnly marks an attribute the server keeps: the actions and timers of a domain package
	// set it (a case's SLA due times and status, the day a lead was qualified). Plain writes of
	// clients — create, update, upsert, import, $batch — may not (records.ByAction).
	ReadOnly bool `json:"read_only,omitempty"`
	// SearchBoost makes the attribute's text rank in search like the record's title (the
	// keywords of a knowledge article): a match in it counts more than one in the body.
	SearchBoost bool `json:"search_boost,omitempty"`
	// Custom marks an attribute added at run time to a system entity; it survives upgrades of
	// the entity's shipped definition.
	Custom bool `json:"custom,omitempty"`
	// Ext marks, in a tenant's model, an attribute the tenant added to a system entity: its column
	// is in the tenant's extension table (Entity.ExtTable), not in the shared table.
	Ext bool `json:"-"`
	// System marks columns every table has (id, version, …) and companion columns derived
	// from another attribute; they are not part of a definition.
	System bool `json:"-"`
	// Of names the attribute a companion column belongs to (revenue_currency → revenue).
	Of string `json:"-"`
}

// SecuredIn reports whether a (an attribute or companion column of e) is under field-level
// security: a companion column follows its attribute.
func (a *Attribute) SecuredIn(e *Entity) bool {
	if a.Secured {
		return true
	}
	if a.Of != "" {
		if o := e.Attr(a.Of); o != nil {
			return o.Secured
		}
	}
	return false
}

// DecimalScale returns the number of decimal places the attribute stores.
func (a *Attribute) DecimalScale() int {
	switch a.Type {
	case TypeMoney:
		return MoneyScale
	case TypeDecimal:
		if a.Scale != nil {
			return *a.Scale
		}
		return DefaultDecimalScale
	}
	return 0
}

// Option returns the option whose value is v, or nil.
func (a *Attribute) Option(v string) *Option {
	for i := range a.Options {
		if a.Options[i].Value == v {
			return &a.Options[i]
		}
	}
	return nil
}

// Polymorphic reports whether a lookup may point to any entity.
func (a *Attribute) Polymorphic() bool {
	return a.Type == TypeLookup && a.Target == PolymorphicTarget
}

// NavName returns the name of the many-to-one navigation property of a lookup: the attribute
// name without its "_id" suffix (primary_contact_id → primary_contact).
func (a *Attribute) NavName() string {
	if len(a.Name) > 3 && a.Name[len(a.Name)-3:] == "_id" {
		return a.Name[:len(a.Name)-3]
	}
	return a.Name
}

// Companions returns the extra columns an attribute brings: a currency code for money and the
// entity name for polymorphic lookups.
func (a *Attribute) Companions() []*Attribute {
	switch {
	case a.Type == TypeMoney:
		return []*Attribute{{Name: a.Name + "_currency", Type: TypeString, MaxLength: 3, System: true, Of: a.Name, Ext: a.Ext,
			DisplayName: Label{EN: a.DisplayName.EN + " currency", ZH: a.DisplayName.ZH + "币种"}}}
	case a.Polymorphic():
		return []*Attribute{{Name: a.NavName() + "_type", Type: TypeString, MaxLength: 64, System: true, Of: a.Name, Ext: a.Ext,
			DisplayName: Label{EN: a.DisplayName.EN + " type", ZH: a.DisplayName.ZH + "类型"}}}
	}
	return nil
}

// Delete behaviours of a lookup when its target record is deleted.
const (
	OnDeleteSetNull  = "set_null"
	OnDeleteCascade  = "cascade"
	OnDeleteRestrict = "restrict"
)

// DeleteBehaviour returns the lookup's on_delete, defaulting to set_null (restrict for required lookups).
func (a *Attribute) DeleteBehaviour() string {
	if a.OnDelete != "" {
		return a.OnDelete
	}
	if a.Required {
		return OnDeleteRestrict
	}
	return OnDeleteSetNull
}

// IsText reports whether values of the attribute are strings in the API.
func (a *Attribute) IsText() bool {
	switch a.Type {
	case TypeString, TypeText, TypeEmail, TypePhone, TypeURL, TypeChoice, TypeAutonumber:
		return true
	}
	return false
}
