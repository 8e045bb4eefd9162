"""The numpy classifier (assistant/speech/wake_model.Mlp) of a network trained with torch (training only)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from assistant.speech.wake_model import Mlp

if TYPE_CHECKING:
    from torch import nn


def mlp_of(net: nn.Sequential) -> Mlp:
    """The numpy classifier of a trained torch Sequential of Linear layers, each hidden one layer-normed."""
    from torch import nn

    net.eval()
    lin = [m for m in net if isinstance(m, nn.Linear)]
    norms = [m for m in net if isinstance(m, nn.LayerNorm)]
    return Mlp(tuple((m.weight.detach().numpy().T.copy(), m.bias.detach().numpy().copy()) for m in lin),
               tuple((m.weight.detach().numpy().copy(), m.bias.detach().numpy().copy()) for m in norms))
