"""Regenerate every committed reference fixture under tests/data/.

Runs each gen_<area>.py beside this file. Versions are pinned in requirements.txt; each script
records them in the fixtures it writes. Not run in CI: the fixtures are committed.
"""

import pathlib
import runpy

HERE = pathlib.Path(__file__).resolve().parent

if __name__ == "__main__":
    for script in sorted(HERE.glob("gen_*.py")):
        print(f"running {script.name}")
        runpy.run_path(str(script), run_name="__main__")
