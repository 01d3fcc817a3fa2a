"""Helpers shared by the tests, the benchmarks and the demo: real SoftHSM tokens, real Ansible runs."""
