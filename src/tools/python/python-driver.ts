/**
 * Python defined once per interpreter: runs user code in a fresh namespace, answers
 * `[ok, repr(result) or traceback]`, and empties `os.environ` (Pyodide fills in defaults).
 * `os.system` is replaced by a clear error; the C function behind it cannot reach the host anyway.
 */
export const pythonDriverSource = String.raw`
import ast as _ast, os as _os, sys as _sys, traceback as _traceback
_os.urandom(1)
_os.environ.clear()
_os.environ['HOME'] = '/workspace'

def _refuse_system(*args, **kwargs):
    raise PermissionError('running programs is not available in the Python sandbox; use shell_execute')

_os.system = _refuse_system
_sys.modules['posix'].system = _refuse_system

def _colloquy_run(code, mode):
    namespace = {'__name__': '__main__', '__builtins__': __builtins__}
    try:
        if mode == 'eval':
            value = eval(compile(code, '<expression>', 'eval'), namespace)
        else:
            tree = _ast.parse(code, '<code>', 'exec')
            last = None
            if tree.body and isinstance(tree.body[-1], _ast.Expr):
                last = _ast.Expression(tree.body.pop().value)
            exec(compile(tree, '<code>', 'exec'), namespace)
            value = eval(compile(last, '<code>', 'eval'), namespace) if last is not None else None
        return [True, None if value is None else repr(value)]
    except BaseException:
        return [False, _traceback.format_exc(limit=20)]
    finally:
        _sys.stdout.flush()
        _sys.stderr.flush()
`;
