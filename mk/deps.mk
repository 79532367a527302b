# make deps: install the Debian packages the build, `make run` and the tests
# need, only those missing (apt-get; sudo when not root); then lwIP's source
# package (mk/net.mk, tools/fetch-lwip).
DEPS_PKGS := gcc make gnu-efi ovmf qemu-system-x86 qemu-system-gui mtools dosfstools \
	console-setup-linux python3 clang libclang-rt-14-dev dpkg-dev curl

.PHONY: deps
deps:
	@missing=$$(for p in $(DEPS_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing" $$missing; \
		sudo=; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
		$$sudo apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing; \
	fi
	@$(MAKE) --no-print-directory deps-lwip
