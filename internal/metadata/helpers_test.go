package metadata

import "github.com/meridian-crm/meridian/internal/fault"

func allFaults(err error) []string {
	fe, ok := fault.As(err)
	if !ok {
		return nil
	}
	out := []string{fe.Code}
	for _, d := range fe.Details {
		out = append(out, d.Code)
	}
	return out
}
