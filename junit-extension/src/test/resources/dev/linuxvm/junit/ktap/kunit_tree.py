# Prints the tree that Linux's own KTAP parser (tools/testing/kunit/kunit_parser.py) reads from
# stdin, one test per line: "<depth> <STATUS> <name>", depth 1 for top-level results.
# Usage: python3 kunit_tree.py <linux>/tools/testing/kunit < console.log
import io
import sys

real_stdout = sys.stdout
# kunit_parser reports progress on stdout (through kunit_printer, which keeps the stream it
# saw at import time): silence it before the import.
sys.stdout = io.StringIO()
sys.path.insert(0, sys.argv[1])
import kunit_parser  # noqa: E402

main = kunit_parser.parse_run_tests(sys.stdin.read().splitlines())
sys.stdout = real_stdout


def walk(test, depth):
    for sub in test.subtests:
        print(f"{depth} {sub.status.name} {sub.name}")
        walk(sub, depth + 1)


walk(main, 1)
