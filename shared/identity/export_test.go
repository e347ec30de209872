package identity

// Hashes is how many argon2id computations the package has made.
func Hashes() int64 { return hashes.Load() }
