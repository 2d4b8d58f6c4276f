"""The replay of an auction from its public ledger alone (issue 3, "Replay"). Pure: no ORM, no clock.

Anyone holding the entries of the stream `auction:<id>` (as GET /api/v1/public/ledger/auction:<id> returns them:
seq, at, kind, payload, prev_hash, hash) can recompute, with the very functions the live system used
(ledger.chain.verify_chain, auctions.sealing.verify_published and bidder_token, auctions.rules), every step of
the auction: the chain, each opened initial price offer against its commitment, the ranking, the qualified
bidders, the floor, each final offer's validity and the extension it caused, the close and the preferred
bidder. The parameters come from the `notified` entry, so a past auction replays under its own rules.

Each step is checked against the state published just before it (the previous offer, the close as extended
so far), so a tampered entry shows as a disagreement at that entry and not as a cascade after it.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from auctions import rules, sealing
from auctions.wording import words
from ledger.chain import verify_chain

SETTLED = "settled"
ANNULLED = "annulled"
IN_PROGRESS = "in_progress"
HISTORIC = "historic"
OUTCOMES = {
    SETTLED: "Settled: the preferred bidder was declared",
    ANNULLED: "Annulled, with the reason published",
    IN_PROGRESS: "Not closed yet: replayed as far as the ledger goes",
    HISTORIC: "A historic record, imported from the published record: never run here, nothing to recompute",
}
# The entries of a historic auction's stream (auctions.services.history): its record, and any revision of it.
HISTORIC_KINDS = {"historic_record", "historic_revised"}

# What may follow each kind of entry in an auction's stream (None: the start of the stream).
NEXT_KINDS = {
    None: {"notified"},
    "notified": {"bids_closed"},
    "bids_closed": {"evaluated", "annulled"},
    "evaluated": {"evaluated", "opened", "annulled"},
    "opened": {"offer", "annulled"},
    "offer": {"offer", "closed"},
    "closed": set(),
    "annulled": set(),
}
# Errors a malformed (or tampered) entry can raise while it is read: reported, never raised.
UNREADABLE = (KeyError, TypeError, ValueError, ArithmeticError, AttributeError, IndexError)


@dataclass(frozen=True)
class Check:
    """One point of the replay: what the ledger published and what the replay recomputed."""

    name: str
    published: str
    recomputed: str
    agrees: bool


@dataclass
class Replay:
    auction: int
    stream: str
    entries: int
    outcome: str
    checks: list[Check] = field(default_factory=list)

    @property
    def agrees(self) -> bool:
        return all(c.agrees for c in self.checks)

    @property
    def disagreements(self) -> list[Check]:
        return [c for c in self.checks if not c.agrees]

    def as_json(self) -> dict:
        return {
            "auction": self.auction,
            "stream": self.stream,
            "entries": self.entries,
            "outcome": self.outcome,
            "agrees": self.agrees,
            "checks": [
                {"name": c.name, "published": c.published, "recomputed": c.recomputed, "agrees": c.agrees}
                for c in self.checks
            ],
        }


def _time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{value} has no time zone")
    return moment


def _show_time(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds") if moment else "none"


def _dec(value) -> Decimal:
    if isinstance(value, bool | float) or value is None:
        raise TypeError(f"{value!r} is not a decimal written as a string")
    return Decimal(str(value))


def _pct(value) -> str:
    return f"{value}%"


def _same_parameter(stored, read) -> bool:
    return _dec(stored) == _dec(read) if isinstance(read, str) else str(stored) == str(read)


def _compress(kinds: list[str]) -> str:
    """notified, bids_closed, evaluated, evaluated, opened -> notified, bids_closed, evaluated x2, opened"""
    runs: list[list] = []
    for kind in kinds:
        if runs and runs[-1][0] == kind:
            runs[-1][1] += 1
        else:
            runs.append([kind, 1])
    return ", ".join(kind if n == 1 else f"{kind} x{n}" for kind, n in runs)


class _Replayer:
    def __init__(self, auction_id: int, entries: list[dict]):
        self.auction_id = auction_id
        self.stream = f"auction:{auction_id}"
        self.raw = entries
        self.checks: list[Check] = []

    def check(self, name: str, published, recomputed, agrees: bool) -> None:
        self.checks.append(Check(name=name, published=str(published), recomputed=str(recomputed), agrees=agrees))

    def unreadable(self, name: str, entry: dict | None, exc: Exception) -> None:
        where = f"entry {entry.get('seq')} ({entry.get('kind')})" if isinstance(entry, dict) else "the ledger"
        self.check(name, where, f"cannot be read: {type(exc).__name__}: {exc}", False)

    # --- The chain and the order of events -------------------------------------------------------------------

    def chain(self) -> list[dict]:
        try:
            entries = sorted(self.raw, key=lambda e: e["seq"])
            result = verify_chain(self.stream, entries)
        except UNREADABLE as exc:
            self.unreadable("ledger chain", None, exc)
            return []
        published = f"{len(entries)} entries, head {entries[-1]['hash'] if entries else 'none'}"
        if result.ok:
            recomputed = f"{result.entries} entries, head {result.head_hash}: every hash recomputes"
        else:
            recomputed = f"broken at entry {result.first_bad_seq}: {result.reason}"
        self.check("ledger chain", published, recomputed, result.ok)
        return entries

    def order(self, entries: list[dict]) -> None:
        previous, problem = None, ""
        for entry in entries:
            kind = entry.get("kind")
            if kind not in NEXT_KINDS.get(previous, set()):
                allowed = " or ".join(sorted(NEXT_KINDS.get(previous, set()))) or "nothing"
                after = f"after {previous}" if previous else "first"
                problem = f"entry {entry.get('seq')} is {kind} {after}; the Rules allow {allowed}"
                break
            previous = kind
        kinds = _compress([str(e.get("kind")) for e in entries])
        self.check("order of events", kinds or "no entries", problem or "the order the Rules follow", not problem)

    # --- The notice ------------------------------------------------------------------------------------------

    def notice(self, entry: dict) -> tuple[dict, rules.AuctionParams] | None:
        try:
            terms = entry["payload"]
            stored = terms["params"]
            params = rules.AuctionParams.from_json(stored)
            unknown = sorted(set(stored) - set(rules.AuctionParams().as_json()))
            read = params.as_json()
            differs = sorted(k for k in read if k in stored and not _same_parameter(stored[k], read[k]))
            problem = "; ".join(
                ([f"unknown parameter(s) {', '.join(unknown)}"] if unknown else [])
                + ([f"unreadable {', '.join(differs)}"] if differs else [])
            )
            missing = sorted(set(read) - set(stored))
            self.check(
                "parameters of the Rules",
                ", ".join(f"{k}={stored[k]}" for k in sorted(stored)),
                problem or "read under the Rules" + (f" (defaults for {', '.join(missing)})" if missing else ""),
                not problem,
            )
            ver, published = _dec(terms["value_of_estimated_resources"]), _dec(terms["bid_security"])
            security = rules.bid_security(ver, params)
            self.check(
                "bid security",
                f"Rs {published}",
                f"Rs {security} ({params.bid_security_pct}% of VER Rs {ver}, at most Rs {params.bid_security_cap})",
                security == published,
            )
            threshold = _dec(terms["net_worth_threshold"])
            capped = rules.net_worth_requirement(threshold, terms["lease_kind"], params)
            if terms["lease_kind"] == rules.EL:
                bound = " (the least an exploration licence asks)" if capped != threshold else ": at least the minimum"
            else:
                bound = " (the cap for this lease)" if capped != threshold else ": within the cap"
            self.check("net-worth threshold", f"Rs {threshold} ({terms['lease_kind']})", f"Rs {capped}{bound}",
                       capped == threshold)  # fmt: skip
            return terms, params
        except UNREADABLE as exc:
            self.unreadable("notice", entry, exc)
            return None

    # --- Annulment -------------------------------------------------------------------------------------------

    def annulment(self, entry: dict, terms: dict, params, *, bids: int, tqb: int, final_offers=None, after=None):
        try:
            payload = entry["payload"]
            reason = rules.annulment_reason(
                attempt=terms["attempt"], bids=bids, tqb=tqb, final_offers=final_offers, params=params
            )
            facts = f"attempt {terms['attempt']}, {bids} bid(s), {tqb} TQB"
            if final_offers is not None:
                facts += f", {final_offers} final offer(s)"
            problems = []
            if payload.get("attempt") != terms["attempt"]:
                problems.append(f"the notice was for attempt {terms['attempt']}")
            if after is not None and _time(entry["at"]) < after:
                problems.append(f"annulled before the close at {_show_time(after)}")
            recomputed = f"{reason or 'no ground for annulment'} ({facts})"
            if problems:
                recomputed += "; " + "; ".join(problems)
            self.check(
                "annulment",
                f"{payload['reason']} (attempt {payload.get('attempt')})",
                recomputed,
                reason == payload["reason"] and not problems,
            )
        except UNREADABLE as exc:
            self.unreadable("annulment", entry, exc)

    # --- The opening -----------------------------------------------------------------------------------------

    def opening(self, entry: dict, terms: dict, params, *, evaluations: dict, bids: int) -> dict | None:
        """Check the opened entry; return the e-auction's starting state (floor, window, TQB by firm id)."""
        try:
            payload = entry["payload"]
            direction = terms["direction"]
            reserve = _dec(terms["reserve_price_pct"])
            items = payload["technically_qualified"]
            qualified_by_evaluation = {c for c, e in evaluations.items() if e["technically_qualified"] is True}
            opened = [i["commitment"] for i in items]
            self.check(
                "technically qualified bidders",
                f"{len(opened)} opened: " + ", ".join(sorted(f"{i['firm']} ({i['commitment'][:12]})" for i in items)),
                f"{len(qualified_by_evaluation)} qualified at the evaluation: "
                + ", ".join(sorted(f"{evaluations[c]['firm']} ({c[:12]})" for c in qualified_by_evaluation)),
                set(opened) == qualified_by_evaluation and len(opened) == len(set(opened)),
            )
            reason = rules.annulment_reason(
                attempt=terms["attempt"], bids=bids, tqb=len(qualified_by_evaluation), params=params
            )
            needed = rules.minimum_tqb(terms["attempt"], params)
            self.check(
                "minimum of technically qualified bidders",
                f"opened with {len(opened)} TQB",
                reason or f"proceeds: {len(qualified_by_evaluation)} TQB, attempt {terms['attempt']} needs {needed}",
                reason is None,
            )
            offers = {}
            for item in items:
                offer = _dec(item["initial_price_offer"])
                offers[item["commitment"]] = offer
                problems = []
                if not sealing.verify_published(
                    auction=self.auction_id,
                    firm=item["firm_id"],
                    offer=offer,
                    nonce=item["nonce"],
                    commitment=item["commitment"],
                ):
                    problems.append("does not match its commitment: sha256(offer, firm, auction, nonce) differs")
                problem = rules.initial_offer_error(offer, reserve=reserve, direction=direction)
                if problem:
                    problems.append(problem)
                evaluated = evaluations.get(item["commitment"])
                if evaluated and (evaluated["firm"], evaluated["cin"]) != (item["firm"], item["cin"]):
                    problems.append(f"the commitment was evaluated as the bid of {evaluated['firm']}")
                self.check(
                    f"initial price offer of {item['firm']}",
                    f"{_pct(offer)}, commitment {item['commitment']}",
                    "; ".join(problems)
                    or f"matches its commitment; not {'above' if direction == rules.DESCENDING else 'below'} the "
                    f"{words(direction)['limit']} of {_pct(reserve)}",
                    not problems,
                )
            names = {i["commitment"]: i["firm"] for i in items}
            ranks = rules.dense_rank(offers, direction)
            self.check(
                "ranking",
                ", ".join(f"{i['firm']} {i['rank']}" for i in items),
                ", ".join(f"{names[c]} {ranks[c]}" for c in opened),
                all(ranks[i["commitment"]] == i["rank"] for i in items),
            )
            qualified = rules.qualified_bidders(offers, direction, params)
            published_qualified = {i["commitment"] for i in items if i["qualified"] is True}
            cut = rules.qualifying_ranks(len(offers), params)
            self.check(
                "qualified bidders",
                ", ".join(sorted(names[c] for c in published_qualified)),
                ", ".join(sorted(names[c] for c in qualified)) + f" (the first {cut} ranks qualify; {len(offers)} TQB)",
                qualified == published_qualified,
            )
            floor = rules.floor_price([offers[c] for c in qualified], direction)
            published_floor = _dec(payload["floor_price"])
            self.check("floor price", _pct(published_floor), _pct(floor), floor == published_floor)
            starts, closes = _time(payload["starts_at"]), _time(payload["closes_at"])
            scheduled = _time(terms["schedule"]["e_auction_starts_at"])
            expected_close = starts + timedelta(minutes=params.duration_minutes)
            problems = []
            if starts < scheduled:
                problems.append(f"starts before the notified e-auction start {_show_time(scheduled)}")
            if starts > scheduled and starts > _time(entry["at"]):
                problems.append("starts after the opening although the notified start had passed")
            self.check(
                "e-auction window",
                f"{_show_time(starts)} to {_show_time(closes)}",
                "; ".join(problems)
                or f"{_show_time(starts)} to {_show_time(expected_close)} ({params.duration_minutes} minutes)",
                not problems and closes == expected_close,
            )
            return {
                "floor": published_floor,
                "starts": starts,
                "closes": closes,
                "qualified": {i["firm_id"]: i for i in items if i["commitment"] in published_qualified},
                "items": items,
            }
        except UNREADABLE as exc:
            self.unreadable("opening", entry, exc)
            return None

    # --- The e-auction ---------------------------------------------------------------------------------------

    def offers(self, entries: list[dict], terms: dict, params, state: dict) -> list[tuple[dict, datetime]]:
        """Check each offer against the state published before it; return the offers read (payload, at)."""
        best, close, last_at, read = None, state["closes"], None, []
        for number, entry in enumerate(entries, start=1):
            name = f"offer {number}"
            try:
                offer = entry["payload"]
                value, at = _dec(offer["value"]), _time(offer["at"])
                problems = []
                if offer["seq"] != number:
                    problems.append(f"numbered {offer['seq']}; offers are numbered 1, 2, 3... without gaps")
                if last_at is not None and at < last_at:
                    problems.append("placed before the offer accepted ahead of it")
                if not rules.is_open(now=at, starts_at=state["starts"], closes_at=close):
                    problems.append(
                        f"outside the e-auction, open from {_show_time(state['starts'])} until {_show_time(close)}"
                    )
                problem = rules.final_offer_error(
                    value, floor=state["floor"], current_best=best, params=params, direction=terms["direction"]
                )
                if problem:
                    problems.append(problem)
                w = words(terms["direction"])
                reference = (
                    f"the {w['floor']} {_pct(state['floor'])}"
                    if best is None
                    else f"the {w['best']} offer {_pct(best)}"
                )
                self.check(
                    name,
                    f"#{offer['seq']}: {_pct(value)} at {_show_time(at)} by bidder {offer['bidder_token']}",
                    "; ".join(problems)
                    or f"valid: beats {reference} by at least the {w['step']} of {params.min_increment}%, in time",
                    not problems,
                )
                published_close = _time(offer["closes_at"])
                try:
                    new_close = rules.extended_close(closes_at=close, offer_at=at, params=params)
                    recomputed = f"{_show_time(new_close)}" + (" (extended)" if new_close != close else "")
                    agrees = new_close == published_close and offer["extended"] is (new_close != close)
                except ValueError as exc:
                    recomputed, agrees = str(exc), False
                self.check(
                    f"{name}: close",
                    f"{_show_time(published_close)}" + (" (extended)" if offer["extended"] else ""),
                    recomputed,
                    agrees,
                )
                best, close, last_at = value, published_close, at
                read.append((offer, at))
            except UNREADABLE as exc:
                self.unreadable(name, entry, exc)
        state["final_close"] = close
        return read

    def tokens(self, offers: list[tuple[dict, datetime]], state: dict, salt: str) -> dict:
        """With the salt published at the close: each qualified firm's token, and every offer's bidder."""
        token_of = {
            firm_id: sealing.bidder_token(salt=salt, auction=self.auction_id, firm=firm_id)
            for firm_id in state["qualified"]
        }
        published = {i["firm_id"]: i["bidder_token"] for i in state["items"] if "bidder_token" in i}
        wrong = sorted(
            state["qualified"][f]["firm"] for f, t in published.items() if f in token_of and token_of[f] != t
        )
        strangers = sorted({o["bidder_token"] for o, _ in offers} - set(token_of.values()))
        problems = []
        if wrong:
            problems.append(f"the token published at the opening for {', '.join(wrong)} differs")
        if strangers:
            problems.append(f"offers by token(s) {', '.join(strangers)}, which no qualified bidder holds")
        self.check(
            "bidder tokens",
            f"{len({o['bidder_token'] for o, _ in offers})} bidder token(s) in the offers; salt {salt}",
            "; ".join(problems)
            or f"every offer's token is sha256(salt|auction|firm) of one of {len(token_of)} qualified bidders",
            not problems,
        )
        return {token: firm_id for firm_id, token in token_of.items()}

    def close(self, entry: dict, terms: dict, offers: list[tuple[dict, datetime]], state: dict) -> None:
        try:
            payload = entry["payload"]
            final_close = state["final_close"]
            closed_at = _time(payload["closed_at"])
            problems = []
            if _time(entry["at"]) < final_close:
                problems.append(f"settled at {entry['at']}, before the close")
            self.check(
                "close",
                _show_time(closed_at),
                "; ".join(problems) or f"{_show_time(final_close)} (the close as extended by the last offer)",
                closed_at == final_close and not problems,
            )
            self.check("number of final offers", payload["offers"], len(offers), payload["offers"] == len(offers))
            firm_of_token = self.tokens(offers, state, payload["bidder_salt"])
            values = [_dec(o["value"]) for o, _ in offers]
            best = max(values) if terms["direction"] == rules.ASCENDING else min(values)
            winning = next(o for o, _ in offers if _dec(o["value"]) == best)  # the first committed wins a tie
            published_best = _dec(payload["winning_offer"])
            self.check("winning offer", _pct(published_best), _pct(best), best == published_best)
            firm_id = firm_of_token.get(winning["bidder_token"])
            winner = state["qualified"].get(firm_id)
            recomputed = (
                f"{winner['firm']} ({winner['cin']}), offer {winning['seq']}"
                if winner
                else f"unknown: token {winning['bidder_token']} belongs to no qualified bidder"
            )
            self.check(
                "preferred bidder",
                f"{payload['preferred_bidder']} ({payload.get('preferred_bidder_cin')})",
                recomputed,
                bool(winner)
                and (winner["firm"], winner["cin"])
                == (payload["preferred_bidder"], payload.get("preferred_bidder_cin")),
            )
        except UNREADABLE as exc:
            self.unreadable("close", entry, exc)

    # --- The whole stream ------------------------------------------------------------------------------------

    def historic(self, entries: list[dict]) -> Replay:
        """A historic auction was not run here: its stream is its published record (and revisions), with nothing
        of the Rules to recompute; only the chain is checked, and the record's source is named."""
        kinds = [str(e.get("kind")) for e in entries]
        problem = "" if kinds[:1] == ["historic_record"] and set(kinds) <= HISTORIC_KINDS else "not a historic stream"
        last = entries[-1] if entries else {}
        payload = last.get("payload") if isinstance(last.get("payload"), dict) else {}
        record = payload.get("record") if last.get("kind") == "historic_revised" else payload
        source = record.get("source") if isinstance(record, dict) else None
        self.check(
            "historic record",
            _compress(kinds),
            problem or f"imported from the published record ({source or 'no source named'}); not run here",
            not problem,
        )
        return Replay(self.auction_id, self.stream, len(self.raw), HISTORIC, self.checks)

    def run(self) -> Replay:
        entries = self.chain()
        if entries and entries[0].get("kind") == "historic_record":
            return self.historic(entries)
        self.order(entries)
        last = entries[-1].get("kind") if entries else None
        outcome = {"closed": SETTLED, "annulled": ANNULLED}.get(last, IN_PROGRESS)
        result = Replay(self.auction_id, self.stream, len(self.raw), outcome, self.checks)
        by_kind: dict[str, list[dict]] = {}
        for entry in entries:
            by_kind.setdefault(entry.get("kind"), []).append(entry)
        notice = by_kind.get("notified", [None])[0]
        if notice is None:
            self.check("notice", "no notified entry", "a replay needs the notice and its parameters", False)
            return result
        read = self.notice(notice)
        if read is None:
            return result
        terms, params = read
        annulled = by_kind.get("annulled", [None])[-1]
        closing = by_kind.get("bids_closed", [None])[0]
        if closing is None:
            return result
        try:
            commitments = closing["payload"]["commitments"]
            bids = closing["payload"]["bid_count"]
            self.check(
                "bids received",
                f"{bids} bid(s)",
                f"{len(commitments)} distinct commitment(s) published at the bid due date",
                bids == len(commitments) == len(set(commitments)),
            )
            evaluations = {}
            for entry in by_kind.get("evaluated", []):
                evaluations[entry["payload"]["commitment"]] = entry["payload"]  # the last evaluation counts
        except UNREADABLE as exc:
            self.unreadable("bids received", closing, exc)
            return result
        opened = by_kind.get("opened", [None])[0]
        decided = opened is not None or annulled is not None
        evaluated, published = set(evaluations), set(commitments)
        self.check(
            "technical evaluation",
            f"{len(published)} commitment(s) published at the bid due date",
            f"{len(evaluated)} bid(s) evaluated"
            + ("" if evaluated <= published else f"; {len(evaluated - published)} not among those published")
            + (f"; {len(published - evaluated)} never evaluated" if decided and published - evaluated else ""),
            evaluated == published if decided else evaluated <= published,
        )
        tqb = sum(1 for e in evaluations.values() if e.get("technically_qualified") is True)
        if opened is None:
            if annulled is not None:
                self.annulment(annulled, terms, params, bids=bids, tqb=tqb)
            return result
        state = self.opening(opened, terms, params, evaluations=evaluations, bids=bids)
        if state is None:
            return result
        offers = self.offers(by_kind.get("offer", []), terms, params, state)
        closed = by_kind.get("closed", [None])[0]
        if closed is not None:
            self.close(closed, terms, offers, state)
        elif annulled is not None:
            self.annulment(
                annulled, terms, params, bids=bids, tqb=tqb, final_offers=len(offers), after=state["final_close"]
            )
        return result


def replay(auction_id: int, entries: list[dict]) -> Replay:
    """Recompute an auction from the entries of its ledger stream and report, point by point, whether each
    published step agrees with the recomputation."""
    return _Replayer(auction_id, list(entries)).run()
