// Command meridian is the Meridian CRM server and its administration tool.
package main

import (
	"os"
)

func main() {
	if err := newRoot().Execute(); err != nil {
		os.Exit(1)
	}
}
