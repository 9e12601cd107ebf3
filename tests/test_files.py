"""engine.files, the one writer of every file lossgrad writes, and the demos' output-path check.

Every write is whole or nothing, goes through symlinks, replaces only regular files, keeps an
existing file's mode, and names the caller's path in every error. The demos check the same things
while parsing the command line and report them as OutputError, never as a traceback.
"""

from __future__ import annotations

import errno
import json
import os
import pickle
import shutil
import socket
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from demos.cli import main
from demos.output import OutputError, check_output_path
from engine.files import NotAFileError, atomic_path, check_writable, write_bytes, write_text

REPO = Path(__file__).resolve().parents[1]
POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="FIFOs, sockets, devices and modes are POSIX")
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


# --- helpers ---------------------------------------------------------------------------------


def names_in(folder: Path) -> list[str]:
    """Return the sorted names in a folder (a leftover temporary file would show here)."""
    return sorted(path.name for path in folder.iterdir())


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask() -> Iterator[Callable[[int], int]]:
    """Return os.umask, to set the umask for the rest of the test; the old one is put back after."""
    saved = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(saved)


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def make_socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.close()  # the socket file stays


def make_device(path: Path) -> None:
    """Make a character device like /dev/full (major 1, minor 7), which needs root."""
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("making a device node needs root (CAP_MKNOD)")


def make_folder(path: Path) -> None:
    path.mkdir()


NOT_FILES = {
    "a folder": (make_folder, stat.S_ISDIR),
    "a FIFO (named pipe)": (make_fifo, stat.S_ISFIFO),
    "a socket": (make_socket, stat.S_ISSOCK),
    "a character device": (make_device, stat.S_ISCHR),
}


# --- whole or not at all ---------------------------------------------------------------------


def test_write_text_and_bytes_write_whole_and_return_the_path_given(tmp_path: Path) -> None:
    target = tmp_path / "out.svg"
    assert write_text(target, "<svg>σ</svg>") == target
    assert target.read_bytes() == "<svg>σ</svg>".encode()
    assert write_bytes(str(target), b"\x89PNG\r\n") == target
    assert target.read_bytes() == b"\x89PNG\r\n"  # bytes as they are, no newline translation
    assert write_text(target, "a\nb", encoding="utf-16").read_bytes() == "a\nb".encode("utf-16")
    assert names_in(tmp_path) == ["out.svg"]


def test_a_failing_block_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "plot.png"
    target.write_text("old picture")
    with (
        pytest.raises(RuntimeError, match="matplotlib fell over"),
        atomic_path(target) as temporary,
    ):
        assert temporary.parent == tmp_path and temporary.name != "plot.png"
        temporary.write_text("half a pict")
        raise RuntimeError("matplotlib fell over")
    assert target.read_text() == "old picture"
    assert names_in(tmp_path) == ["plot.png"]


def test_the_target_changes_only_when_the_block_ends(tmp_path: Path) -> None:
    target = tmp_path / "page.html"
    target.write_text("old")
    with atomic_path(target) as temporary:
        temporary.write_text("new")
        assert target.read_text() == "old"  # a reader still sees the whole old file
    assert target.read_text() == "new"


def test_a_failed_rename_leaves_the_old_file_and_names_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.svg"
    target.write_text("old")

    def full_disk(source: str, destination: str) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), source, None, destination)

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError) as raised:
        write_text(target, "new")
    assert raised.value.errno == errno.ENOSPC and raised.value.filename == str(target)
    assert str(raised.value) == f"[Errno {errno.ENOSPC}] No space left on device: '{target}'"
    assert ".tmp" not in str(raised.value)
    assert target.read_text() == "old" and names_in(tmp_path) == ["out.svg"]


@pytest.mark.parametrize("names_the_temporary", [True, False])
def test_an_error_writing_the_temporary_names_the_path_given(tmp_path: Path, names_the_temporary: bool) -> None:
    target = tmp_path / "out.svg"
    with pytest.raises(OSError) as raised, atomic_path(target) as temporary:
        about = (str(temporary),) if names_the_temporary else ()
        raise OSError(errno.ENOSPC, "No space left on device", *about)
    assert f"No space left on device: '{target}'" in str(raised.value)
    assert raised.value.filename == str(target)
    assert names_in(tmp_path) == []


def test_an_error_about_another_file_is_left_as_it_is(tmp_path: Path) -> None:
    source = str(tmp_path / "input.csv")
    with pytest.raises(FileNotFoundError) as raised, atomic_path(tmp_path / "out.svg"):
        open(source)  # noqa: SIM115 - the error is the point
    assert raised.value.filename == source
    assert names_in(tmp_path) == []


def test_what_cannot_be_written_leaves_the_file_untouched(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        write_text(target, "lone surrogate \udc80")
    with pytest.raises(TypeError, match=r"write_bytes: data must be bytes, got str \(write_text"):
        write_bytes(target, "text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="write_text: text must be a str, got bytes"):
        write_text(target, b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"write_text: path must be a str or os\.PathLike, got int"):
        write_text(3, "x")  # type: ignore[arg-type]
    with (
        pytest.raises(ValueError, match="atomic_path: path must name a file, got ''"),
        atomic_path(""),
    ):
        pass
    assert target.read_text() == "old" and names_in(tmp_path) == ["out.txt"]


# --- only regular files, through symlinks ----------------------------------------------------


@POSIX_ONLY
@pytest.mark.parametrize("kind", list(NOT_FILES))
@pytest.mark.parametrize("writer", ["write_text", "write_bytes", "atomic_path", "check_writable"])
def test_what_is_not_a_regular_file_is_refused_and_kept(tmp_path: Path, kind: str, writer: str) -> None:
    make, is_still = NOT_FILES[kind]
    path = tmp_path / "out.svg"
    make(path)
    calls: dict[str, Callable[[], object]] = {
        "write_text": lambda: write_text(path, "<svg/>"),
        "write_bytes": lambda: write_bytes(path, b"<svg/>"),
        "atomic_path": lambda: atomic_path(path).__enter__(),
        "check_writable": lambda: check_writable(path),
    }
    with pytest.raises(NotAFileError) as raised:
        calls[writer]()
    assert raised.value.filename == str(path) and raised.value.kind == kind
    assert str(raised.value) == f"'{path}' is {kind}, not a regular file; only regular files are written"
    assert is_still(os.lstat(path).st_mode)  # not replaced by a plain file
    assert names_in(tmp_path) == ["out.svg"]


@POSIX_ONLY
def test_a_symlink_to_a_device_or_fifo_is_refused_by_its_own_name(tmp_path: Path) -> None:
    make_fifo(tmp_path / "pipe")
    (tmp_path / "out.svg").symlink_to("pipe")
    with pytest.raises(NotAFileError, match=r"'.*out\.svg' is a FIFO \(named pipe\)"):
        write_text(tmp_path / "out.svg", "x")  # refused before opening, so it does not block
    assert stat.S_ISFIFO(os.stat(tmp_path / "pipe").st_mode)
    assert (tmp_path / "out.svg").is_symlink()


def test_a_path_ending_in_a_separator_names_a_folder_and_is_refused(tmp_path: Path) -> None:
    path = str(tmp_path / "out.svg") + os.sep
    with pytest.raises(NotAFileError, match=r"is a folder name \(it ends in '.'\)") as raised:
        write_text(path, "x")
    assert raised.value.filename == path and raised.value.errno == errno.EISDIR
    assert names_in(tmp_path) == []


@POSIX_ONLY
def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "graph.svg"
    real.write_text("old")
    link = tmp_path / "graph.svg"
    link.symlink_to(Path("real") / "graph.svg")  # relative, as `ln -s` makes them
    second = tmp_path / "latest.svg"
    second.symlink_to(link)  # a link to the link
    write_text(link, "first")
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "graph.svg")
    assert real.read_text() == "first"
    write_text(second, "second")
    assert second.is_symlink() and link.is_symlink() and real.read_text() == "second"
    assert names_in(tmp_path / "real") == ["graph.svg"]  # the temporary file went beside the target
    assert check_writable(second) == real.resolve()


@POSIX_ONLY
def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "out.svg"
    link.symlink_to("made-by-the-write.svg")
    write_text(link, "new")
    assert link.is_symlink() and (tmp_path / "made-by-the-write.svg").read_text() == "new"


@POSIX_ONLY
def test_a_symlink_loop_names_the_path(tmp_path: Path) -> None:
    (tmp_path / "a.svg").symlink_to("b.svg")
    (tmp_path / "b.svg").symlink_to("a.svg")
    with pytest.raises(OSError) as raised:
        write_text(tmp_path / "a.svg", "x")
    assert raised.value.errno == errno.ELOOP and raised.value.filename == str(tmp_path / "a.svg")
    assert "loop of symbolic links" in str(raised.value)


# --- permission bits and owner ---------------------------------------------------------------


@POSIX_ONLY
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o755, 0o600])
def test_an_existing_file_keeps_its_mode(tmp_path: Path, mode: int) -> None:
    target = tmp_path / "out.svg"
    target.write_text("old")
    target.chmod(mode)
    write_text(target, "new")
    assert mode_of(target) == mode and target.read_text() == "new"
    with atomic_path(target) as temporary:  # also when a writer such as savefig writes it
        temporary.write_bytes(b"newer")
    assert mode_of(target) == mode


@POSIX_ONLY
@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002])
def test_a_new_file_gets_the_mode_the_umask_gives(tmp_path: Path, umask: Callable[[int], int], mask: int) -> None:
    umask(mask)
    assert mode_of(write_text(tmp_path / "new.svg", "x")) == 0o666 & ~mask  # not mkstemp's 0o600
    with atomic_path(tmp_path / "other.png") as temporary:
        temporary.write_bytes(b"x")
    assert mode_of(tmp_path / "other.png") == 0o666 & ~mask


@pytest.mark.skipif(not AS_ROOT, reason="giving a file another owner needs root")
def test_root_writing_a_users_file_leaves_it_the_users(tmp_path: Path) -> None:
    target = tmp_path / "out.svg"
    target.write_text("old")
    os.chown(target, 65534, 65534)
    write_text(target, "new")
    assert (target.stat().st_uid, target.stat().st_gid) == (65534, 65534)


# --- errors name the path given --------------------------------------------------------------


def test_a_name_too_long_for_the_file_system_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / ("n" * 300 + ".svg")
    with pytest.raises(OSError) as raised:
        write_text(path, "x")
    assert raised.value.errno == errno.ENAMETOOLONG and raised.value.filename == str(path)
    assert "the name is too long for the file system" in str(raised.value)
    assert names_in(tmp_path) == []


def test_a_name_near_the_limit_still_gets_a_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / ("n" * 250 + ".svg")  # 254 bytes: a temporary named after it would not fit
    assert write_text(path, "x").read_text() == "x"
    assert names_in(tmp_path) == [path.name]


def test_a_missing_folder_or_a_file_as_folder_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "missing" / "out.svg"
    with pytest.raises(FileNotFoundError) as raised:
        write_text(missing, "x")
    assert raised.value.filename == str(missing)
    assert f"the folder '{tmp_path / 'missing'}' does not exist" in str(raised.value)
    (tmp_path / "notes.txt").write_text("a file")
    under_a_file = tmp_path / "notes.txt" / "out.svg"
    with pytest.raises(NotADirectoryError) as under:
        write_bytes(under_a_file, b"x")
    assert under.value.filename == str(under_a_file)
    assert "a part of the path that should be a folder is a file" in str(under.value)
    assert names_in(tmp_path) == ["notes.txt"]


def test_a_folder_the_user_cannot_write_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Root writes anywhere, so the refusal is simulated; the next test shows the real thing.
    target = tmp_path / "out.svg"
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: str(path) != str(tmp_path) and real_access(path, mode))
    with pytest.raises(PermissionError) as raised:
        write_text(target, "x")
    assert raised.value.filename == str(target)
    assert f"the folder '{tmp_path}' is not writable" in str(raised.value)
    with pytest.raises(OutputError, match=f"graph '{target}': the folder '{tmp_path}' is not writable"):
        check_output_path(target, (".svg",), "graph")
    assert names_in(tmp_path) == []


PERMISSION_CASES = textwrap.dedent("""
    import json, os, sys
    from pathlib import Path
    from engine.files import write_text
    from demos.output import OutputError, check_output_path

    base = Path(sys.argv[1])
    cases = {
        "read-only folder": base / "read-only" / "out.svg",
        "folder without search permission": base / "closed" / "inner" / "out.svg",
        "read-only file": base / "old.svg",
    }
    report = {}
    for name, path in cases.items():
        entry = {}
        try:
            write_text(path, "new")
            entry["write"] = "written"
        except OSError as error:
            entry["write"] = [type(error).__name__, error.filename, str(error)]
        try:
            check_output_path(path, (".svg",), "graph")
            entry["check"] = "passed"
        except OutputError as error:
            entry["check"] = str(error)
        report[name] = entry
    print(json.dumps(report))
""")


@POSIX_ONLY
def test_permission_problems_name_the_path_for_a_user_without_root_powers(tmp_path: Path) -> None:
    (tmp_path / "read-only").mkdir(mode=0o555)
    (tmp_path / "closed" / "inner").mkdir(parents=True)
    (tmp_path / "closed").chmod(0o600)  # no search (x) permission: nothing inside can be reached
    (tmp_path / "old.svg").write_text("old")
    (tmp_path / "old.svg").chmod(0o444)
    command = [sys.executable, "-c", PERMISSION_CASES, str(tmp_path)]
    if AS_ROOT:
        # Root ignores permission bits; without these two capabilities it obeys them like a user.
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root, and no setpriv to drop root's permission override")
        command = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]
    try:
        completed = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            cwd=REPO,
        )
    finally:
        (tmp_path / "closed").chmod(0o700)  # so pytest can clean up
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)
    folder = tmp_path / "read-only"
    path = folder / "out.svg"
    not_writable = f"the folder '{folder}' is not writable"
    assert report["read-only folder"] == {
        "write": ["PermissionError", str(path), f"[Errno 13] {not_writable}: '{path}'"],
        "check": f"graph '{path}': {not_writable}",
    }
    closed = tmp_path / "closed" / "inner" / "out.svg"
    cannot_search = "a folder on the way to it cannot be searched (permission denied)"
    assert report["folder without search permission"] == {
        "write": ["PermissionError", str(closed), f"[Errno 13] {cannot_search}: '{closed}'"],
        "check": f"graph '{closed}': {cannot_search}",
    }
    old = tmp_path / "old.svg"
    assert report["read-only file"] == {
        "write": ["PermissionError", str(old), f"[Errno 13] the file is read-only: '{old}'"],
        "check": f"graph '{old}': the file is read-only",
    }
    assert (tmp_path / "old.svg").read_text() == "old"
    assert names_in(folder) == []


def test_not_a_file_error_is_an_oserror_and_pickles(tmp_path: Path) -> None:
    with pytest.raises(NotAFileError) as raised:
        write_text(tmp_path, "x")
    error = raised.value
    assert isinstance(error, OSError) and error.errno == errno.EISDIR
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is NotAFileError and str(copy) == str(error)
    assert (copy.kind, copy.errno, copy.filename) == ("a folder", errno.EISDIR, str(tmp_path))


# --- the demos' output-path check ------------------------------------------------------------


@POSIX_ONLY
@pytest.mark.parametrize(
    ("make", "name", "complaint"),
    [
        (make_folder, "out.svg", "it is a folder, not a regular file"),
        (make_fifo, "out.svg", "it is a FIFO (named pipe), not a regular file"),
        (make_socket, "out.svg", "it is a socket, not a regular file"),
        (make_device, "out.svg", "it is a character device, not a regular file"),
        (None, "out.svg/", "it is a folder name (it ends in '/'), not a regular file"),
        (None, "missing/out.svg", "the folder '{tmp}/missing' does not exist"),
    ],
)
def test_check_output_path_names_the_path_and_the_reason(
    tmp_path: Path, make: Callable[[Path], None] | None, name: str, complaint: str
) -> None:
    if make is not None:
        make(tmp_path / name)
    before = names_in(tmp_path)
    path = f"{tmp_path}/{name}"
    with pytest.raises(OutputError) as raised:
        check_output_path(path, (".svg",), "graph")
    assert str(raised.value) == f"graph '{path}': {complaint.format(tmp=tmp_path)}"
    assert names_in(tmp_path) == before


def test_check_output_path_refuses_a_name_too_long_and_shows_it_shortened(tmp_path: Path) -> None:
    path = str(tmp_path / ("n" * 300 + ".svg"))
    with pytest.raises(OutputError) as raised:
        check_output_path(path, (".svg",), "plot")
    message = str(raised.value)
    assert message.endswith("': the name is too long for the file system")
    assert message.startswith(f"plot '{path[:80]}...") and f"...{path[-40:]}'" in message
    assert len(message) < 200


def test_check_output_path_refuses_a_path_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("a file")
    with pytest.raises(OutputError, match="a part of the path that should be a folder is a file"):
        check_output_path(tmp_path / "notes.txt" / "out.html", (".html",), "page")


@POSIX_ONLY
@pytest.mark.parametrize(
    ("argv", "complaint"),
    [
        (
            ["graph", "-o", "{tmp}/" + "n" * 300 + ".svg"],
            "the name is too long for the file system",
        ),
        (["graph", "-o", "{tmp}/fifo.svg"], "it is a FIFO (named pipe), not a regular file"),
        (["explore", "--html", "{tmp}/page.html/"], "it is a folder name (it ends in '/')"),
        (["graph", "-o", "{tmp}/folder.svg"], "it is a folder, not a regular file"),
    ],
)
def test_the_cli_refuses_bad_output_paths_in_one_line_with_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], complaint: str
) -> None:
    make_fifo(tmp_path / "fifo.svg")  # writing would block on it: refused before anything opens it
    (tmp_path / "folder.svg").mkdir()
    assert main([part.format(tmp=tmp_path) for part in argv]) == 2
    err = capsys.readouterr().err
    assert complaint in err and "Traceback" not in err and "Errno" not in err
    assert names_in(tmp_path) == ["fifo.svg", "folder.svg"]
