"""Binding ids, the user's ``[keymap]`` table, and the key list the help screen shows.

Every binding in the app has an id such as ``inbox.reply``; the config file's
``[keymap]`` table maps ids to keys (``inbox.reply = "e"``) and ``App.set_keymap``
applies it. Ids the app does not have are reported instead of silently ignored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.dom import DOMNode
from textual.keys import REPLACED_KEYS, key_to_character

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen

Section = tuple[str, type[DOMNode]]


def bindings_of(owner: type[DOMNode]) -> list[Binding]:
    """The bindings that have an id which the class answers to, its bases' too (a list's
    moves on every list), each once with the keys that reach it: a key a subclass binds
    again is the subclass's (the failed list's space selects, it does not page down), as
    Textual merges them. An id with two meanings (the inbox's Esc: close the search box,
    else back) is one binding, its meanings in one description ("Close search / back"),
    as the keymap remaps them together. Not ``system`` ones, which stand in for a key
    listed elsewhere (as in Textual's panel)."""
    answered = owner._merge_bindings().key_to_bindings
    found: dict[str, tuple[Binding, list[str], list[str]]] = {}
    for base in reversed(owner.__mro__):  # in the order declared, the bases' first
        for binding in Binding.make_bindings(base.__dict__.get("BINDINGS", [])):
            if binding.id and not binding.system and binding in answered.get(binding.key, ()):
                _, keys, meanings = found.setdefault(binding.id, (binding, [], []))
                keys.extend([binding.key] * (binding.key not in keys))
                meanings.extend([binding.description] * (binding.description not in meanings))
    return [replace(binding, key=",".join(keys), description=_meanings(meanings))
            for binding, keys, meanings in found.values()]


def _meanings(descriptions: list[str]) -> str:
    first, *others = descriptions
    return " / ".join([first, *(other[:1].lower() + other[1:] for other in others)])


def unknown_ids(keymap: Mapping[str, str], sections: Iterable[Section]) -> list[str]:
    known = {binding.id for _, owner in sections for binding in bindings_of(owner)}
    return sorted(set(keymap) - known)


def types(key: str) -> bool:
    """Whether ``key`` types into a reply: a character (``g``, ``G``, ``shift+g``,
    ``space``, ``minus``), Enter (a new line) or Backspace; not a key with ctrl or alt,
    nor Esc, Tab, the arrows or the function keys."""
    name = key.strip().removeprefix("shift+")
    if "+" in name:
        return False
    if name in ("enter", "backspace"):
        return True
    character = key_to_character(REPLACED_KEYS.get(name, name))
    return character is not None and character.isprintable()


def typing_refused(keymap: Mapping[str, str], sections: Iterable[Section]) -> dict[str, str]:
    """The ``[keymap]`` entries refused, by id, each with its one line: a key that types
    given to a binding of a screen that keeps every key a reply types while it is up
    (``takes_key``: the question of a conversation another chatter owns, which comes up
    as the chatter types; its answers are keys no reply types). Such a key would be
    taken as the reply's, or answer the question with a letter of it: the binding keeps
    its default."""
    refused: dict[str, str] = {}
    for title, owner in sections:
        if not hasattr(owner, "takes_key"):
            continue
        for binding in bindings_of(owner):
            keys = keymap.get(binding.id or "", "")
            if binding.id and any(types(key) for key in keys.split(",") if key.strip()):
                refused[binding.id] = (
                    f"[keymap] {binding.id} = {keys!r} refused: {title!r} takes every key "
                    f"a reply types; {binding.key} kept")
    return refused


@dataclass(frozen=True)
class Reach:
    """What answers keys on one screen: its own bindings, the priority ones of the
    widgets on it that take the focus (a list's moves: acted on before the screen's other
    keys, or after its priority ones), and the app's (not under a modal dialog, where
    Textual stops the chain)."""

    title: str
    screen: type[DOMNode]
    widgets: tuple[type[DOMNode], ...] = ()
    app: type[DOMNode] | None = None

    def chains(self) -> list[list[Binding]]:
        """The bindings that answer keys together: the screen's and the app's with each
        widget's in turn (one widget has the focus at a time, the list or the reply box)."""
        shared = [*bindings_of(self.screen),
                  *(bindings_of(self.app) if self.app is not None else ())]
        return [[*shared, *(binding for binding in bindings_of(widget) if binding.priority)]
                for widget in self.widgets] or [shared]


def clash_refused(keymap: Mapping[str, str], reaches: Iterable[Reach]) -> dict[str, str]:
    """The ``[keymap]`` entries refused, by id, each with its one line: a key given to a
    binding that another binding reachable on the same screen answers to (``inbox.reply
    = "R"``, the list's retry; ``failed.period = "space"``, the failed list's select;
    ``inbox.reply = "q"``, the app's quit). Only one of them would act, and the footer
    would still offer the other: the binding keeps its default. Ids remapped together
    may swap keys."""
    refused: dict[str, str] = {}
    for reach, bindings in ((reach, chain) for reach in reaches for chain in reach.chains()):
        ids_of: dict[str, set[str]] = {}
        for binding in bindings:
            for key in keymap.get(binding.id or "", binding.key).split(","):
                ids_of.setdefault(key.strip(), set()).add(binding.id or "")
        for binding in bindings:
            keys = keymap.get(binding.id or "")
            for key in (keys or "").split(","):
                others = sorted(ids_of.get(key.strip(), set()) - {binding.id or ""})
                if keys and others and binding.id not in refused:
                    refused[binding.id or ""] = (
                        f"[keymap] {binding.id} = {keys!r} refused: {key.strip()} is "
                        f"{others[0]}'s on {reach.title!r}; {binding.key} kept")
    return refused


def keys_of(binding: Binding, keymap: Mapping[str, str]) -> list[Binding]:
    """The binding once per key it answers to, with the user's keymap applied."""
    keys = keymap.get(binding.id or "", binding.key)
    return [binding.with_key(key.strip(), key_display=None) for key in keys.split(",")]


def key_named(app: App[object], owner: type[DOMNode], binding_id: str) -> str:
    """The key ``owner``'s binding ``binding_id`` answers to (the first, with the user's
    keymap applied), as the footer and the help name it: for a hint naming a key."""
    binding = next(b for b in bindings_of(owner) if b.id == binding_id)
    return app.get_key_display(keys_of(binding, app._keymap)[0])


def bound(node: DOMNode, key: str) -> list[Binding]:
    """``node``'s own bindings of ``key``, with the user's ``[keymap]`` applied."""
    bindings = node._bindings.copy()
    if node.app._keymap:
        bindings.apply_keymap(node.app._keymap)
    return list(bindings.key_to_bindings.get(key, ()))


def answers_first(screen: Screen[object], key: str, node: DOMNode) -> list[Binding]:
    """``node``'s bindings of ``key`` when ``node`` answers it first on ``screen`` (of the
    focused widget and those above it, up to the modal screen or the app: a box that
    types the key takes it), else none."""
    for namespace, bindings in screen._modal_binding_chain:
        if key in bindings.key_to_bindings:
            return list(bindings.key_to_bindings[key]) if namespace is node else []
    return []
