"""The tenant server: a subset of the tenant API, plus the VSatellites' own channel and test admin."""
