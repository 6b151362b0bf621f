# Thin aliases for ./shop, for those who type `make`. ./shop works without make installed.
.PHONY: help run test test-unit test-integration test-security test-e2e lint services stop

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

run: ## run the shop with everything it needs
	./shop run

test: ## the whole test suite, as CI runs it
	./shop test

test-unit: ## unit tests only
	./shop test tests/unit

test-integration: ## integration tests only (real PostgreSQL, Redis, worker), one worker per CPU
	./shop test -n auto --dist worksteal tests/integration

test-security: ## attack tests only (hostile HTTP and websocket clients)
	./shop test tests/security

test-security: ## attacks replayed against the shop (tests/security, SECURITY.md)
	./shop test -m security

test-e2e: ## browser tests only
	./shop test tests/e2e

lint: ## ruff check + format check + import layers (lint-imports)
	./shop lint

services: ## start the private PostgreSQL and Redis
	./shop services

stop: ## stop the private PostgreSQL and Redis
	./shop stop
