"""The real `planner` console script under a pseudo-terminal: every byte it writes is kept, a pyte
screen reads them as a terminal would, and the SGR codes in them can be checked: which colour codes
were sent, and how well the text they colour reads (contrast, from the codes themselves).
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from dataclasses import dataclass, field

import pyte


class PtyTerminal:
    """One command on its own pseudo-terminal of a fixed size; `raw` holds all it wrote."""

    def __init__(self, command: list[str], env: dict[str, str], size: tuple[int, int] = (100, 30)) -> None:
        columns, rows = size
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
        self.master = master
        self.process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        start_new_session=True, close_fds=True)
        os.close(slave)
        self.raw = bytearray()
        self.screen = pyte.Screen(columns, rows)
        self.stream = pyte.ByteStream(self.screen)

    def pump(self, seconds: float = 0.05) -> None:
        """Read what the program wrote in the next `seconds` (less when it ends)."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.master], [], [], max(left, 0))
            if not ready:
                return
            try:
                data = os.read(self.master, 65536)
            except OSError:  # the program ended and closed the terminal
                return
            if not data:
                return
            self.raw += data
            self.stream.feed(data)
            if left <= 0:
                return

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, text: str, seconds: float = 30) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            self.pump(0.1)
            if text in self.text():
                return self.text()
            if self.process.poll() is not None:
                self.pump(0.2)
                break
        raise AssertionError(f"{text!r} not on screen after {seconds}s; screen was:\n{self.text()}\n"
                             f"raw tail: {bytes(self.raw[-400:])!r}")

    def send(self, keys: str) -> None:
        os.write(self.master, keys.encode())

    def settle(self, seconds: float = 0.5) -> None:
        """Read until the program has written nothing for `seconds`."""
        while True:
            before = len(self.raw)
            self.pump(seconds)
            if len(self.raw) == before:
                return

    def wait_exit(self, seconds: float = 20) -> int:
        deadline = time.monotonic() + seconds
        while self.process.poll() is None and time.monotonic() < deadline:
            self.pump(0.1)
        self.pump(0.2)
        if self.process.poll() is None:
            raise AssertionError(f"still running after {seconds}s; screen:\n{self.text()}")
        return self.process.returncode

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.master)


# --- reading the SGR codes sent ------------------------------------------------------------------

#: CSI sequences, OSC / DCS / APC strings, other two-byte escapes, and text between them.
TOKEN = re.compile(r"\x1b\[([0-?]*)([ -/]*)([@-~])|\x1b[\]P_^].*?(?:\x07|\x1b\\)|\x1b.|([^\x1b]+)", re.S)

#: xterm's default 16 colours, to turn codes into something to compute contrast on.
XTERM_16 = ["#000000", "#cd0000", "#00cd00", "#cdcd00", "#0000ee", "#cd00cd", "#00cdcd", "#e5e5e5",
            "#7f7f7f", "#ff0000", "#00ff00", "#ffff00", "#5c5cff", "#ff00ff", "#00ffff", "#ffffff"]
#: What the terminal's default foreground and background are taken to be (a dark terminal).
DEFAULT_FOREGROUND = "#e5e5e5"
DEFAULT_BACKGROUND = "#000000"


@dataclass(frozen=True)
class Pen:
    """The graphic rendition text was drawn with: colours as SGR code strings ("" is the default)."""

    foreground: str = ""
    background: str = ""
    bold: bool = False
    dim: bool = False
    reverse: bool = False
    underline: bool = False


@dataclass
class Sgr:
    """What the SGR codes in a byte stream say: every colour code sent, and each run of text with
    the pen it was drawn with."""

    colour_codes: set[str] = field(default_factory=set)
    runs: list[tuple[str, Pen]] = field(default_factory=list)


def read_sgr(raw: bytes) -> Sgr:
    result = Sgr()
    pen = Pen()
    for match in TOKEN.finditer(raw.decode("utf-8", "replace")):
        text = match.group(4)
        if text is not None:
            result.runs.append((text, pen))
            continue
        if match.group(3) != "m" or match.group(2) or (match.group(1) or "").startswith(("?", ">", "<", "=")):
            continue
        pen = _apply_sgr(pen, match.group(1) or "0", result.colour_codes)
    return result


def _apply_sgr(pen: Pen, params: str, colour_codes: set[str]) -> Pen:
    codes = params.replace(":", ";").split(";")
    index = 0
    changes: dict[str, object] = {}
    current = pen
    while index < len(codes):
        code = int(codes[index] or 0)
        if code in (38, 48):
            kind = codes[index + 1] if index + 1 < len(codes) else ""
            width = 3 if kind == "5" else 5 if kind == "2" else 2
            value = ";".join(codes[index:index + width])
            colour_codes.add(value)
            changes["foreground" if code == 38 else "background"] = value
            index += width
            continue
        if code == 0:
            current = Pen()
            changes = {}
        elif 30 <= code <= 37 or 90 <= code <= 97:
            colour_codes.add(str(code))
            changes["foreground"] = str(code)
        elif 40 <= code <= 47 or 100 <= code <= 107:
            colour_codes.add(str(code))
            changes["background"] = str(code)
        elif code == 39:
            changes["foreground"] = ""
        elif code == 49:
            changes["background"] = ""
        elif code == 1:
            changes["bold"] = True
        elif code == 2:
            changes["dim"] = True
        elif code == 22:
            changes.update(bold=False, dim=False)
        elif code == 7:
            changes["reverse"] = True
        elif code == 27:
            changes["reverse"] = False
        elif code == 4:
            changes["underline"] = True
        elif code == 24:
            changes["underline"] = False
        index += 1
    return Pen(**{**current.__dict__, **changes})


def colour_depth_of(code: str) -> str:
    """The least colour mode that can send `code`: "truecolor", "256" or "16"."""
    if code.startswith(("38;2", "48;2")):
        return "truecolor"
    if code.startswith(("38;5", "48;5")):
        return "256"
    return "16"


def rgb(code: str, default: str) -> tuple[int, int, int]:
    """The colour an SGR colour code draws (xterm's palette for the 16 and 256 colours)."""
    if not code:
        hex_colour = default
    elif code.startswith(("38;2", "48;2")):
        return tuple(int(part) for part in code.split(";")[2:5])  # type: ignore[return-value]
    elif code.startswith(("38;5", "48;5")):
        number = int(code.split(";")[2])
        if number < 16:
            hex_colour = XTERM_16[number]
        elif number < 232:
            number -= 16
            steps = [0, 95, 135, 175, 215, 255]
            return steps[number // 36], steps[number // 6 % 6], steps[number % 6]
        else:
            grey = 8 + (number - 232) * 10
            return grey, grey, grey
    else:
        number = int(code)
        base = number % 10
        hex_colour = XTERM_16[base + (8 if number >= 90 else 0)]
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def luminance(colour: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        value_ = value / 255
        return value_ / 12.92 if value_ <= 0.03928 else ((value_ + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(value) for value in colour)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(pen: Pen) -> float:
    """WCAG contrast ratio of the pen's text colour on its background (1 to 21)."""
    foreground = rgb(pen.foreground, DEFAULT_FOREGROUND)
    background = rgb(pen.background, DEFAULT_BACKGROUND)
    if pen.reverse:
        foreground, background = background, foreground
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
