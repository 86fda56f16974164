"""The local runtime: the synthesized CloudFormation template running on moto (docs/local-runtime.md)."""
