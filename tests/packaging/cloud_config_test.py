#!/usr/bin/env python3
"""packaging/cloud-config.yaml parses, has the shape coreos-cloudinit expects, and the agent
configuration it writes (with $public_ipv4 substituted as coreos-cloudinit does) passes
`deckhand --check-config`. Needs AGENT_BINARY and SOURCE_ROOT (meson test sets both)."""

import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

import yaml

SOURCE_ROOT = pathlib.Path(os.environ.get("SOURCE_ROOT", "."))
AGENT = os.environ.get("AGENT_BINARY", "deckhand")
EXAMPLE = SOURCE_ROOT / "packaging" / "cloud-config.yaml"
PUBLIC_IPV4 = "192.0.2.10"  # TEST-NET-1


class CloudConfigTest(unittest.TestCase):
    def setUp(self):
        self.text = EXAMPLE.read_text()
        self.config = yaml.safe_load(self.text)

    def test_is_cloud_config_that_starts_deckhand(self):
        self.assertTrue(self.text.startswith("#cloud-config\n"))
        units = self.config["coreos"]["units"]
        self.assertIn({"name": "deckhand.service", "command": "start"}, units)
        paths = [entry["path"] for entry in self.config["write_files"]]
        self.assertIn("/etc/deckhand/agent.conf", paths)
        token = next(e for e in self.config["write_files"] if e["path"] == "/etc/deckhand/token")
        self.assertEqual(token["permissions"], "0600")

    def test_written_configuration_passes_check_config(self):
        with tempfile.TemporaryDirectory(dir="/var/tmp") as root:
            for entry in self.config["write_files"]:
                target = pathlib.Path(root) / entry["path"].lstrip("/")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(entry["content"].replace("$public_ipv4", PUBLIC_IPV4))
                if "permissions" in entry:
                    target.chmod(int(entry["permissions"], 8))
            result = subprocess.run(
                [AGENT, "--check-config",
                 "--config", f"{root}/etc/deckhand/agent.conf",
                 # The file names the token's place on the node; here it lies under root.
                 "--token-file", f"{root}/etc/deckhand/token"],
                capture_output=True, text=True, check=False)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn(f"PublicIP={PUBLIC_IPV4}\n", result.stdout)
            self.assertIn("URL=wss://scheduler.example.net:7443/v1/agent\n", result.stdout)
            self.assertIn("Metadata=disk=ssd,region=us-east\n", result.stdout)

    def test_unsubstituted_address_is_refused(self):
        # What a node would see if cloud-init did not substitute: a clear error, exit 2.
        content = next(e["content"] for e in self.config["write_files"]
                       if e["path"] == "/etc/deckhand/agent.conf")
        with tempfile.NamedTemporaryFile("w", dir="/var/tmp", suffix=".conf") as conf:
            conf.write(content)
            conf.flush()
            result = subprocess.run([AGENT, "--check-config", "--config", conf.name,
                                     "--token-file", ""],
                                    capture_output=True, text=True, check=False)
            self.assertEqual(result.returncode, 2)
            self.assertIn('[Machine] PublicIP: "$public_ipv4"', result.stderr)


if __name__ == "__main__":
    sys.exit(unittest.main())
