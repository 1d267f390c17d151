"""Running terraform on synthesized stacks, for real or against a local AWS emulator (library code:
the CLI only parses arguments and prints)."""
