"""``python -m dualgrad`` runs the tour; ``python -m dualgrad coverage`` prints
which numpy functions are differentiable."""
import sys


def _main() -> int:
    if sys.argv[1:2] == ["coverage"]:
        from dualgrad.tools.coverage import main
        return main(sys.argv[2:])
    from dualgrad.tools.tour import main
    return main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(_main())
