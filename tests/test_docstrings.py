"""Public functions: numpydoc parameters with their unit in brackets, and type hints."""

import importlib
import inspect
import pkgutil
import re

import strandrisk

_SECTION = re.compile(r"\n(?:Returns|Raises|Yields|Examples|Notes|See Also)\n-{3,}")


def _public_functions():
    for info in pkgutil.walk_packages(strandrisk.__path__, "strandrisk."):
        module = importlib.import_module(info.name)
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if getattr(obj, "__module__", None) != module.__name__:
                continue  # re-exported: checked where it is defined
            if inspect.isfunction(obj):
                yield f"{info.name}.{name}", obj
            elif inspect.isclass(obj):
                for attr, fn in vars(obj).items():
                    if inspect.isfunction(fn) and not attr.startswith("_"):
                        yield f"{info.name}.{name}.{attr}", fn


def _undocumented(fn) -> list[str]:
    params = [p for p in inspect.signature(fn).parameters if p not in ("self", "cls")]
    doc = inspect.getdoc(fn) or ""
    if not params:
        return [] if doc else ["(no docstring)"]
    if "Parameters\n----------" not in doc:
        return ["(no Parameters section)"]
    section = _SECTION.split(doc.split("Parameters\n----------", 1)[1])[0]
    entries = re.split(r"\n(?=\S)", section.strip("\n"))
    named = {n.strip() for e in entries for n in e.split(":")[0].split(",")}
    problems = [f"{p}: not documented" for p in params if p not in named]
    problems += [f"{e.splitlines()[0]}: no [unit]" for e in entries if "[" not in e]
    return problems


def test_every_public_function_documents_its_parameters_with_units():
    functions = dict(_public_functions())
    assert len(functions) > 100  # the walk found the package
    missing = {q: p for q, fn in functions.items() if (p := _undocumented(fn))}
    assert not missing, "\n".join(f"{q}: {'; '.join(p)}" for q, p in sorted(missing.items()))


def test_every_public_function_has_type_hints():
    missing = []
    for qualname, fn in _public_functions():
        sig = inspect.signature(fn)
        bare = [p for p, v in sig.parameters.items() if v.annotation is inspect.Parameter.empty]
        bare = [p for p in bare if p not in ("self", "cls")]
        if sig.return_annotation is inspect.Signature.empty:
            bare.append("return")
        if bare:
            missing.append(f"{qualname}: {', '.join(bare)}")
    assert not missing, "\n".join(missing)
