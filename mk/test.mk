# make test: every suite in tests/t-*.sh (TESTS=pattern picks some).
.PHONY: test
test: deps all unit
	bash tests/run.sh $(TESTS)
