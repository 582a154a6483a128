"""How many public parameters of layernb have a docments comment (`x: int, # what x is`), module by module.

A public parameter is a named parameter (not `self`/`cls`, not `*args`/`**kwargs`) of a public function, of a
public class's constructor, or of a public method of a public class (methods added with `@patch` included).
The comment is what `show_doc` renders in the parameter table on the site and what `help()`-style tools
(`fastcore.docments.docments`) return.

Usage: python tools/param_docs.py [--missing]   (prints one line per module; --missing lists the undocumented)
"""
from __future__ import annotations

import argparse, importlib, inspect, pkgutil, warnings

from fastcore.docments import docments


def _public_callables(mod):
    "(qualified name, callable) for every public function, class and public method of a class in `mod.__all__`."
    for name in getattr(mod, "__all__", []):
        obj = getattr(mod, name)
        if inspect.isclass(obj):
            if getattr(obj, "__module__", None) != mod.__name__: continue
            yield name, obj
            for attr, member in vars(obj).items():
                if attr.startswith("_"): continue
                fn = member.__func__ if isinstance(member, (classmethod, staticmethod)) else member
                if inspect.isfunction(fn): yield f"{name}.{attr}", fn
        elif inspect.isfunction(obj) and obj.__module__ == mod.__name__:
            yield name, obj


def _params(fn) -> list[str]:
    "The named public parameters of `fn` (for a class: of its constructor)."
    try: sig = inspect.signature(fn)
    except (TypeError, ValueError): return []
    return [p.name for p in sig.parameters.values() if p.name not in ("self", "cls") and not p.name.startswith("_")
            and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]


def parameter_docs(module: str) -> tuple[int, int, list[str]]:
    "(documented, total, undocumented `name(param)`) over the public parameters of `module`."
    mod = importlib.import_module(module)
    done, total, missing = 0, 0, []
    for qual, fn in _public_callables(mod):
        names = _params(fn)
        if not names: continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try: docs = docments(fn)
            except Exception: docs = {}
        for p in names:
            total += 1
            if docs.get(p): done += 1
            else: missing.append(f"{qual}({p})")
    return done, total, missing


def package_modules(package: str = "layernb") -> list[str]:
    "Every public module of the package."
    pkg = importlib.import_module(package)
    return sorted(f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_"))


def report(show_missing: bool = False) -> dict[str, tuple[int, int]]:
    "Print one line per module (documented / total, share) and the package total; return the counts."
    counts, done_all, total_all = {}, 0, 0
    for m in package_modules():
        done, total, missing = parameter_docs(m)
        counts[m] = (done, total)
        done_all, total_all = done_all + done, total_all + total
        print(f"{m:28s} {done:4d} / {total:4d}  {100 * done / max(total, 1):5.1f} %")
        if show_missing and missing: print("    undocumented: " + ", ".join(missing))
    print(f"{'all modules':28s} {done_all:4d} / {total_all:4d}  {100 * done_all / max(total_all, 1):5.1f} %")
    return counts


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--missing", action="store_true", help="list the undocumented parameters")
    report(ap.parse_args().missing)
