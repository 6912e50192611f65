// Command meridian is the Meridian CRM server and its administration tool.
package main

import (
	"os"
	"runtime/debug"
)

// gcPercent is the garbage collector's target when GOGC is not set. Meridian's bulk writes
// (imports, seeding, $batch) allocate fast while its live heap stays small, so the default of
// 100 had the collector take a tenth of an import's CPU; 200 trades some memory for it.
const gcPercent = 200

func main() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	if err := newRoot().Execute(); err != nil {
		os.Exit(1)
	}
}
