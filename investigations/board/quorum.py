"""Board quorum arithmetic: plain integers in, integers and booleans out (no database).

Rules (``settings.BOARD_QUORUM`` is the ``configured`` value):

* The **eligible** members on a case are the current board members minus those of them recused on
  it (never below zero).
* ``configured == 0`` (the default): a simple majority of the eligible members,
  ``eligible // 2 + 1``. With nobody eligible that is 1, which cannot be reached.
* ``configured > 0``: exactly that many members. It is **not** lowered when recusals leave fewer
  eligible members than that: the quorum is then *unreachable* and the board cannot decide the case
  until its membership changes. Silently shrinking the quorum would let a handful of members decide
  what the configuration says needs more.
* Every live vote of an eligible member counts toward quorum, **abstentions included**: quorum
  measures who took part, not how they voted.
"""

from dataclasses import dataclass


def eligible_members(current_members: int, recused: int) -> int:
    return max(0, current_members - max(0, recused))


def quorum_needed(current_members: int, recused: int, configured: int) -> int:
    """How many eligible members must have voted. May exceed the eligible count: see
    ``quorum_reachable``."""
    if configured and configured > 0:
        return configured
    return eligible_members(current_members, recused) // 2 + 1


def quorum_reachable(current_members: int, recused: int, configured: int) -> bool:
    return quorum_needed(current_members, recused, configured) <= eligible_members(current_members, recused)


def quorum_reached(votes_cast: int, current_members: int, recused: int, configured: int) -> bool:
    """Whether ``votes_cast`` live votes of eligible members (abstentions included) make quorum."""
    if not quorum_reachable(current_members, recused, configured):
        return False
    return votes_cast >= quorum_needed(current_members, recused, configured)


@dataclass(frozen=True)
class QuorumStatus:
    current_members: int
    recused: int
    eligible: int
    needed: int
    votes_cast: int
    reachable: bool
    reached: bool

    @property
    def missing(self) -> int:
        return max(0, self.needed - self.votes_cast)


def quorum_status(votes_cast: int, current_members: int, recused: int, configured: int) -> QuorumStatus:
    return QuorumStatus(
        current_members=current_members,
        recused=recused,
        eligible=eligible_members(current_members, recused),
        needed=quorum_needed(current_members, recused, configured),
        votes_cast=votes_cast,
        reachable=quorum_reachable(current_members, recused, configured),
        reached=quorum_reached(votes_cast, current_members, recused, configured),
    )
