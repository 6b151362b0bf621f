"""The marker base of every admin dashboard state.

The access guard refuses any event of these states unless the server-side session belongs
to staff whose groups give the state's `permission` (and a handler's own, `requires`).
Load admin data only inside their handlers, into plain vars: never into computed vars or
defaults, which every browser receives.
"""

from ui.access import StaffState


class AdminState(StaffState):
    pass
