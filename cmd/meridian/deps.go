package main
import (
 _ "modernc.org/sqlite"
 _ "github.com/jackc/pgx/v5/stdlib"
 _ "github.com/spf13/cobra"
 _ "github.com/knadh/koanf/v2"
 _ "github.com/alexedwards/argon2id"
 _ "github.com/google/uuid"
 _ "github.com/shopspring/decimal"
)
func main(){}
