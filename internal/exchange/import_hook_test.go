package exchange

// SetTestHook installs a hook called in each import batch's transaction just before its
// checkpoint ("batch") and after its commit ("committed"); an error from it stops the run as a
// crash would. It returns a function that removes the hook.
func SetTestHook(h func(stage string, j *Job) error) func() {
	old := testHook
	testHook = h
	return func() { testHook = old }
}
