"""The root schema: queries, mutations, limits and error handling set once, here."""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError, validate
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from backend.config import Settings
from backend.domain.commands import load_all_commands
from backend.domain.errors import DomainError, ErrorCode, render
from backend.graphql.context import Context
from backend.graphql.mutations import Mutation
from backend.graphql.queries import Query

log = logging.getLogger("saha.graphql")

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


class DomainErrors(MaskErrors):
    """Turns errors into what a client may see.

    - DomainError (expected): localised message, ``extensions.code`` (and ``field``);
    - GraphQL's own errors (syntax, validation, limits): kept as they are;
    - anything else: logged with the request id and masked as INTERNAL.
    """

    def __init__(self, hide_suggestions: bool = False) -> None:
        # Errors with an original exception come from resolvers (they have a path) — except a
        # variable graphql-core could not coerce (no path): that is the client's mistake.
        super().__init__(should_mask_error=lambda e: e.original_error is not None and e.path is not None)
        self.hide_suggestions = hide_suggestions

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = [_with_code(e) for e in super()._process_errors(errors)]
        return [without_suggestions(e) for e in processed] if self.hide_suggestions else processed

    def _context(self) -> Context | None:
        context = getattr(self.execution_context, "context", None)
        value = context.get("saha") if isinstance(context, dict) else None
        return value if isinstance(value, Context) else None

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        c = self._context()
        lang = c.lang if c else "tr"
        request_id = c.request_id if c else "-"
        original = error.original_error
        if isinstance(original, DomainError):
            extensions: dict[str, Any] = {"code": original.code.value}
            if original.field:
                extensions["field"] = original.field
            return GraphQLError(
                original.message(lang),
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions=extensions,
            )
        log.error(
            "unexpected error in GraphQL operation [request_id=%s] path=%s",
            request_id,
            error.path,
            exc_info=original,
        )
        return GraphQLError(
            render(ErrorCode.INTERNAL, lang, request_id=request_id),
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions={"code": ErrorCode.INTERNAL.value, "requestId": request_id},
        )


def _with_code(error: GraphQLError) -> GraphQLError:
    """Every error carries a catalogue code: GraphQL's own (a document or variable that does not
    fit the schema, e.g. a ``seq`` of ``1.5``) are the client's mistake, VALIDATION_FAILED;
    the limits (depth, aliases, tokens) are LIMIT_EXCEEDED."""
    if error.extensions and "code" in error.extensions:
        return error
    limit = any(k in error.message for k in ("exceeds maximum operation depth", "aliases", "tokens"))
    code = ErrorCode.LIMIT_EXCEEDED if limit else ErrorCode.VALIDATION_FAILED
    return _rebuilt(error, error.message, {**(error.extensions or {}), "code": code.value})


def _rebuilt(error: GraphQLError, message: str, extensions: dict[str, Any] | None) -> GraphQLError:
    """``error`` with another message and extensions, everything else kept."""
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,
        extensions=extensions,
    )


_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def without_suggestions(error: GraphQLError) -> GraphQLError:
    """The error without graphql-core's "Did you mean …?" hints (names of fields, types,
    arguments and enum values an outsider could map the schema with)."""
    if "Did you mean" not in error.message:
        return error
    return _rebuilt(error, _SUGGESTION.sub("", error.message), error.extensions)


class CachedValidation(SchemaExtension):
    """Validates each document once (a phone sends the same few all day); in production with
    graphql-core's ``hide_suggestions``. Strawberry then skips its own validation run, and
    ``DomainErrors`` strips what execution adds later. The cache belongs to one schema."""

    def __init__(self, validate_once: Callable[[Any, Any, tuple[Any, ...]], list[GraphQLError]]) -> None:
        self.validate_once = validate_once

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors is None and context.graphql_document is not None:
            rules = (*context.validation_rules, MaybeNullValidationRule, OneOfInputValidationRule)
            context.pre_execution_errors = self.validate_once(
                context.schema._schema, context.graphql_document, rules
            )
        yield


class SahaSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # DomainErrors is where errors are logged (unexpected ones, with the request id);
        # expected failures and client mistakes are not server errors.
        for error in errors:
            log.debug("graphql error: %s", error.message)


def build_schema(settings: Settings | None = None) -> strawberry.Schema:
    load_all_commands()
    depth = settings.graphql_max_depth if settings else 10
    aliases = settings.graphql_max_aliases if settings else 15
    tokens = settings.graphql_max_tokens if settings else 2000
    production = settings.production if settings else False
    limit_rules = [
        *QueryDepthLimiter(max_depth=depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=aliases).validation_rules,
    ]

    @functools.lru_cache(maxsize=256)
    def validate_once(schema: Any, document: Any, rules: tuple[Any, ...]) -> list[GraphQLError]:
        return validate(schema, document, rules, hide_suggestions=production)

    extensions: list[Callable[[], SchemaExtension]] = [
        # a phone sends the same few documents all day: each is parsed once and validated once
        lambda: ParserCache(maxsize=256),
        lambda: CachedValidation(validate_once),
        # the limits' rules are made once: the same rules every request let validation be cached
        lambda: AddValidationRules(limit_rules),
        lambda: MaxTokensLimiter(max_token_count=tokens),
        lambda: DomainErrors(hide_suggestions=production),
    ]
    if production:  # no schema for outsiders: no introspection, no "Did you mean …?"
        extensions.append(DisableIntrospection)
    return SahaSchema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(auto_camel_case=True),
    )


def schema_sdl() -> str:
    return build_schema().as_str().rstrip() + "\n"


def export(path: Path = SCHEMA_FILE) -> Path:
    path.write_text(schema_sdl(), encoding="utf-8")
    return path
