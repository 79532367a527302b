# make deps: install the Debian packages the build, `make run` and the tests
# need, only those missing (apt-get; sudo when not root). A package counts
# as present when dpkg has it or a command of its name exists (NodeSource's
# nodejs bundles npm and conflicts with Debian's). curl, nodejs, npm and
# chromium: the API tests (t-38: curl, the openai npm client, the chat page
# in headless Chromium). gdisk, sbsigntool, openssl: the stick image and
# `make sign` checks (t-55). dpkg-dev: dpkg-source for lwIP's source
# package, fetched last (mk/net.mk, tools/fetch-lwip).
DEPS_PKGS := gcc make gnu-efi ovmf qemu-system-x86 qemu-system-gui mtools dosfstools \
	console-setup-linux python3 clang libclang-rt-14-dev curl nodejs npm chromium \
	gdisk sbsigntool openssl dpkg-dev

.PHONY: deps
deps:
	@missing=$$(for p in $(DEPS_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || \
		command -v $$p >/dev/null || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing" $$missing; \
		sudo=; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi
	@$(MAKE) --no-print-directory deps-lwip
