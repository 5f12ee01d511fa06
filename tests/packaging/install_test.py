#!/usr/bin/env python3
"""`meson install` puts every file in its standard place, and the installed agent links only the
shared libraries it must (docs/packaging.md): never spdlog or fmt, which are compiled in; with
-Dstatic_libs=true nothing but glibc, libstdc++, libsystemd, libsdbus-c++ and what those two
need; never OpenSSL, which only its TLS module (LIBDIR/deckhand/deckhand-tls.so, loaded for
wss://) links. Needs BUILD_ROOT, PREFIX, SBINDIR, BINDIR, LIBDIR and STATIC_LIBS (meson test
sets them)."""

import os
import pathlib
import re
import subprocess
import sys
import tempfile
import unittest

BUILD_ROOT = os.environ["BUILD_ROOT"]
PREFIX = pathlib.Path(os.environ["PREFIX"])
SBINDIR = os.environ["SBINDIR"]
BINDIR = os.environ["BINDIR"]
LIBDIR = os.environ["LIBDIR"]
STATIC_LIBS = os.environ["STATIC_LIBS"] == "true"

# Always shared: glibc (and the loader), the C++ runtime libsdbus-c++ also uses, libsystemd and
# libsdbus-c++ (Debian ships no static archives of them), and what libsystemd itself links.
ALWAYS_SHARED = {"linux-vdso", "ld-linux-x86-64", "libc", "libm", "libstdc++", "libgcc_s",
                 "libsystemd", "libsdbus-c++",
                 "libcap", "libgcrypt", "libgpg-error", "liblzma", "libzstd", "liblz4"}
# Shared unless static_libs.
OPENSSL = {"libssl", "libcrypto"}


def linked(binary):
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    names = set()
    for line in out.splitlines():
        match = re.match(r"\s*(?:/\S+/)?([^\s/]+?)\.so", line)
        if match:
            names.add(match.group(1))
    return names


class InstallTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(dir="/var/tmp")
        cls.root = pathlib.Path(cls.tmp.name)
        subprocess.run(["meson", "install", "-C", BUILD_ROOT, "--no-rebuild", "--quiet",
                        "--destdir", str(cls.root)], check=True, capture_output=True)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def installed(self, *parts):
        path = self.root / PREFIX.relative_to("/") / pathlib.Path(*parts)
        self.assertTrue(path.exists(), f"{path} not installed")
        return path

    def test_files_are_in_their_standard_places(self):
        self.installed(SBINDIR, "deckhand")
        self.installed(BINDIR, "deckhandctl")
        unit = self.installed("lib/systemd/system/deckhand.service").read_text()
        self.assertIn(f"\nExecStart={PREFIX / SBINDIR / 'deckhand'}\n", unit)
        self.assertNotIn("@sbindir@", unit)
        self.installed("share/dbus-1/system.d/org.deckhand.Agent1.conf")
        self.installed("share/dbus-1/interfaces/org.deckhand.Agent1.xml")
        self.installed("share/doc/deckhand/examples/agent.conf.example")
        self.installed("share/doc/deckhand/examples/cloud-config.yaml")
        for page in ["man8/deckhand.8", "man1/deckhandctl.1", "man5/deckhand.conf.5"]:
            self.installed("share/man", page)
        self.installed(LIBDIR, "deckhand", "deckhand-tls.so")

    def test_installed_binaries_link_only_what_they_must(self):
        allowed = ALWAYS_SHARED | (set() if STATIC_LIBS else OPENSSL)
        for binary in [self.installed(SBINDIR, "deckhand"), self.installed(BINDIR, "deckhandctl")]:
            libraries = linked(str(binary))
            self.assertIn("libsdbus-c++", libraries, binary)
            self.assertLessEqual(libraries, allowed, f"{binary} links {libraries - allowed}")
        self.assertFalse(linked(str(self.installed(SBINDIR, "deckhand"))) & OPENSSL,
                         "the agent links OpenSSL; only its TLS module may")

    def test_tls_module_links_openssl_only_when_shared(self):
        libraries = linked(str(self.installed(LIBDIR, "deckhand", "deckhand-tls.so")))
        if not STATIC_LIBS:
            self.assertLessEqual(OPENSSL, libraries)
        self.assertLessEqual(libraries, ALWAYS_SHARED | (set() if STATIC_LIBS else OPENSSL))

    def test_installed_agent_finds_its_tls_module(self):
        # Found relative to the binary, so in this DESTDIR tree as under the real prefix;
        # --check-config loads it for a wss:// URL.
        agent = self.installed(SBINDIR, "deckhand")
        module = self.installed(LIBDIR, "deckhand", "deckhand-tls.so")
        env = {k: v for k, v in os.environ.items() if k != "AGENT_TLS_MODULE"}
        result = subprocess.run([str(agent), "--config", "/dev/null", "--check-config",
                                 "--scheduler-url", "wss://scheduler.example:8443/agent"],
                                capture_output=True, text=True, check=False, env=env)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn(str(module.resolve()), result.stdout)

    def test_installed_agent_runs(self):
        agent = self.installed(SBINDIR, "deckhand")
        result = subprocess.run([str(agent), "--version"], capture_output=True, text=True,
                                check=False)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertTrue(result.stdout.startswith("deckhand "))


if __name__ == "__main__":
    sys.exit(unittest.main())
