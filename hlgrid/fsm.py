"""django-fsm on the migrations' historical models: no transitions to collect, so no receiver.

Each FSMField connects a `class_prepared` receiver when it joins a model, to collect the
model's transition methods. The migration executor renders the project state's models again
and again (a `__fake__` module, no methods), and every rendered FSM field stayed connected: each
later model creation walked hundreds of receivers. That made `migrate` on a fresh database
(and every test database) spend most of its two minutes in signal dispatch. The historical
models keep their FSM fields (their columns, defaults and choices); only the receiver goes.
"""

from django.db.models.signals import class_prepared
from django_fsm import FSMFieldMixin

_installed = {"done": False}


def install() -> None:
    if _installed["done"]:
        return
    original = FSMFieldMixin.contribute_to_class

    def contribute_to_class(self, cls, name, *args, **kwargs):
        original(self, cls, name, *args, **kwargs)
        if cls.__module__ == "__fake__":
            class_prepared.disconnect(self._collect_transitions)

    FSMFieldMixin.contribute_to_class = contribute_to_class
    _installed["done"] = True
