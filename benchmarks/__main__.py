"""``python -m benchmarks [--quick] [--only TEXT]``: print the results table."""
import argparse
import sys

from . import machine, run

parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat (smoke run)")
parser.add_argument("--only", help="run only the workloads whose name contains this text")
args = parser.parse_args()
print(f"Machine: {machine()}", file=sys.stderr)
if args.quick:
    print("--quick: tiny sizes and one repeat; the ratios and the 'met' column mean "
          "nothing here.", file=sys.stderr)
print(run(quick=args.quick, only=args.only, echo=lambda s: print(s, file=sys.stderr)))
