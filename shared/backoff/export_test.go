package backoff

// Ceiling is the bound Sleep draws its wait below.
var Ceiling = ceiling
