"""The public bodies Khanij knows at start, as data (the seed migration loads them; tests reload them after a flush).

Central bodies by their own names; for every State and Union Territory its mining department, its pollution control
board (a committee in a Union Territory) and its State environment impact assessment authority (SEIAA), so that
a block registered in any State finds the bodies that decide on its clearances. Where a State's body has a name of
its own (Chhattisgarh's board is its Environment Conservation Board), it is used; elsewhere the usual one.
Supervising offices are where an overdue case is escalated (RULES.md s.5), with the facilitation desk.
"""

from django.utils.text import slugify

from core.india import INDIAN_STATES, UNION_TERRITORIES

MINISTRY = "ministry"
FACILITATION_DESK = "facilitation_desk"
MINES_BUREAU = "mines_bureau"
STATE_MINING = "state_mining"
POLLUTION_BOARD = "pollution_board"
IMPACT_ASSESSMENT = "impact_assessment"
GROUNDWATER = "groundwater"
WILDLIFE_BOARD = "wildlife_board"

# (code, name, short name, kind, supervising office's code, facilitation desk)
CENTRAL = [
    ("mom", "Ministry of Mines", "MoM", MINISTRY, None, False),
    ("mom-desk", "Facilitation desk for critical minerals, Ministry of Mines", "MoM desk", FACILITATION_DESK, "mom",
     True),
    ("ibm", "Indian Bureau of Mines", "IBM", MINES_BUREAU, "mom", False),
    ("moefcc", "Ministry of Environment, Forest and Climate Change", "MoEFCC", MINISTRY, None, False),
    ("cpcb", "Central Pollution Control Board", "CPCB", POLLUTION_BOARD, "moefcc", False),
    ("nbwl", "Standing Committee of the National Board for Wildlife", "NBWL", WILDLIFE_BOARD, "moefcc", False),
    ("mojs", "Ministry of Jal Shakti", "MoJS", MINISTRY, None, False),
    ("cgwa", "Central Ground Water Authority", "CGWA", GROUNDWATER, "mojs", False),
]  # fmt: skip

MINING_DEPARTMENTS = {
    "Andhra Pradesh": "Department of Mines and Geology, Andhra Pradesh",
    "Chhattisgarh": "Directorate of Geology and Mining, Chhattisgarh",
    "Jharkhand": "Department of Mines and Geology, Jharkhand",
    "Odisha": "Directorate of Mines and Geology, Odisha",
    "Rajasthan": "Department of Mines and Geology, Rajasthan",
    "Karnataka": "Department of Mines and Geology, Karnataka",
    "Madhya Pradesh": "Directorate of Geology and Mining, Madhya Pradesh",
}
POLLUTION_BOARDS = {
    "Chhattisgarh": "Chhattisgarh Environment Conservation Board",
    "Andhra Pradesh": "Andhra Pradesh Pollution Control Board",
    "Tamil Nadu": "Tamil Nadu Pollution Control Board",
    "Maharashtra": "Maharashtra Pollution Control Board",
    "Gujarat": "Gujarat Pollution Control Board",
    "Madhya Pradesh": "Madhya Pradesh Pollution Control Board",
    "Odisha": "State Pollution Control Board, Odisha",
}


def state_code(prefix: str, state: str) -> str:
    """The code of a State's body: `dmg-odisha`, `spcb-odisha`, `seiaa-odisha`."""
    return f"{prefix}-{slugify(state)}"


def state_bodies(state: str) -> list[tuple]:
    """(code, name, short name, kind, supervising office's code) of the three bodies of one State or UT."""
    committee = "Pollution Control Committee" if state in UNION_TERRITORIES else "State Pollution Control Board"
    return [
        (state_code("dmg", state), MINING_DEPARTMENTS.get(state, f"Department of Mines and Geology, {state}"),
         "DMG", STATE_MINING, None),
        (state_code("spcb", state), POLLUTION_BOARDS.get(state, f"{state} {committee}"), "SPCB", POLLUTION_BOARD,
         "cpcb"),
        (state_code("seiaa", state), f"State Environment Impact Assessment Authority, {state}", "SEIAA",
         IMPACT_ASSESSMENT, "moefcc"),
    ]  # fmt: skip


def load(Authority) -> None:
    """Create or refresh the bodies (idempotent; `Authority` is the model, historical in a migration)."""
    by_code = {}
    for code, name, short, kind, _supervisor, desk in CENTRAL:
        by_code[code], _ = Authority.objects.update_or_create(
            code=code,
            defaults={"name": name, "short_name": short, "kind": kind, "state": "", "facilitation_desk": desk},
        )
    for code, *_rest, supervisor, _desk in CENTRAL:
        if supervisor:
            Authority.objects.filter(code=code).update(supervising_office=by_code[supervisor])
    for state in INDIAN_STATES:
        for code, name, short, kind, supervisor in state_bodies(state):
            Authority.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "short_name": short,
                    "kind": kind,
                    "state": state,
                    "supervising_office": by_code.get(supervisor),
                },
            )
