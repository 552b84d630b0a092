# Entry points for people and CI. `make demo` is the main job, `make test` the test suite;
# both set up what is missing first (Debian packages, the venv), idempotently.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-done
DEMO_DIR ?= /tmp/anaconda-demo

.PHONY: readme-tables setup demo demo-dir test test-unit test-host test-vm image rpm bench bench-memory bench-fleet testrepo bigrepo clean

setup: $(STAMP)

$(STAMP): debian-packages.txt requirements.txt pyproject.toml
	@missing=$$(for p in $$(grep -v '^#' debian-packages.txt); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	    echo "setup: installing Debian packages: $$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@[ -x $(PY) ] || { echo "setup: creating $(VENV)"; /usr/bin/python3 -m venv --system-site-packages $(VENV); }
	@echo "setup: installing pinned PyPI packages"
	@$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@$(PY) -m pip install -q --disable-pip-version-check --no-deps -e .
	@touch $@

demo: setup
	$(PY) tests/vm/demo.py

# A directory install of the same kickstart on the host (seconds; no VM).
demo-dir: setup
	@repo=$$($(PY) image/testrepo/build.py | tail -n 1) && rm -rf $(DEMO_DIR) && \
	$(VENV)/bin/anaconda --cmdline --dirinstall $(DEMO_DIR) --kickstart data/ks/minimal.ks \
	    --repo file://$$repo

testrepo: setup
	$(PY) image/testrepo/build.py

bigrepo: setup
	$(PY) image/bigrepo/generate.py

# One VM install in `make test` (PXE, stage2 in the initrd); `make test-vm` runs them all.
test: setup
	$(PY) -m pytest -q tests/unit tests/host "tests/vm/test_install.py::test_autopart_lvm_install[pxe-initrd]"

test-vm: setup
	$(PY) -m pytest -q tests/vm

image: setup
	$(PY) image/boot/build.py

test-unit: setup
	$(PY) -m pytest -q tests/unit

RPM_TOP ?= $(CURDIR)/build/rpm
rpm: setup
	@version=$$($(PY) -c 'import installer; print(installer.__version__)'); \
	mkdir -p $(RPM_TOP)/SOURCES && \
	git ls-files -co --exclude-standard | grep -v '^\.' | \
	    tar -czf $(RPM_TOP)/SOURCES/anaconda-lean-$$version.tar.gz \
	        --transform "s,^,anaconda-lean-$$version/," -T - && \
	rpmbuild -bb --quiet --define "_topdir $(RPM_TOP)" --define "pkg_version $$version" \
	    --define "__brp_python_bytecompile %{nil}" anaconda.spec && \
	ls $(RPM_TOP)/RPMS/noarch/anaconda-lean-$$version-*.noarch.rpm

bench: setup
	$(PY) bench/startup.py
	$(PY) bench/payload.py
	$(PY) bench/payload_scale.py
	$(PY) bench/image.py --cold
	$(PY) bench/squashfs_faults.py
	$(PY) bench/storage.py
	$(PY) bench/boot.py
	$(MAKE) bench-fleet
	$(MAKE) bench-memory

# issue 18: 1, 2 and 4 machines network-booting at once from one nginx (about 40 min
# under TCG). Not in CI. E.g. make bench-fleet BENCH_FLEET_ARGS='--sizes 2 --keep /var/tmp'
BENCH_FLEET_ARGS ?=
bench-fleet: setup
	$(PY) bench/fleet.py $(BENCH_FLEET_ARGS)

# issue 7: the smallest RAM an install needs (hours under TCG: every probe is cached in
# ${ANACONDA_CACHE:-/var/cache/anaconda-lean}/bench-memory, a rerun resumes). Not in CI. E.g.
#   make bench-memory BENCH_MEMORY_ARGS='--cases a,b --max-probes 2'
BENCH_MEMORY_ARGS ?=
bench-memory: setup
	$(PY) bench/memory.py $(BENCH_MEMORY_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info

# The README's kickstart table is generated from installer/kickstart/support.py.
readme-tables: setup
	$(PY) -m installer.kickstart.support --write README.md
