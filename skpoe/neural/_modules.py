"""torch modules: the default MLP, and the joint product-of-experts network."""

import math

import torch
from torch import nn


class MLP(nn.Module):
    """A multilayer perceptron split into an encoder and a linear head.

    ``forward`` returns logits; ``encode`` returns the last hidden layer, the
    representation that ``JointProductOfExpertsClassifier(inter_fusion=
    "representation")`` fuses across modalities. A custom module used that way
    needs the same two members: ``encode(x)`` and ``representation_size``.

    Parameters
    ----------
    n_features : int
        Input width.
    n_classes : int
        Output width (one logit per class).
    hidden_layer_sizes : tuple of int, default=(64,)
        Widths of the hidden layers (ReLU). Empty: a linear model.
    dropout : float, default=0.0
        Dropout after each hidden layer.

    Examples
    --------
    >>> import torch
    >>> from skpoe.neural import MLP
    >>> mlp = MLP(n_features=5, n_classes=3, hidden_layer_sizes=(8,))
    >>> mlp(torch.zeros(2, 5)).shape, mlp.representation_size
    (torch.Size([2, 3]), 8)
    """

    def __init__(self, n_features, n_classes, hidden_layer_sizes=(64,), dropout=0.0):
        super().__init__()
        layers, width = [], n_features
        for size in hidden_layer_sizes:
            layers += [nn.Linear(width, size), nn.ReLU()]
            if dropout:
                layers.append(nn.Dropout(dropout))
            width = size
        self.encoder = nn.Sequential(*layers)
        self.representation_size = width
        self.head = nn.Linear(width, n_classes)

    def encode(self, x):
        return self.encoder(x)

    def forward(self, x):
        return self.head(self.encoder(x))


class _JointModule(nn.Module):
    """One network per modality plus an inter network, combined as a product of experts.

    ``forward(x, present)`` returns the seed's output, Σ_k log_softmax(expert_k)
    renormalised with logsumexp, over the experts present in each row (rows with
    none get the log prior). In ``"pretrain"`` mode it returns every expert's
    log_softmax, stacked, so that each expert trains alone on its own loss.
    """

    def __init__(self, modality_nets, modality_columns, inter_net, inter_columns,
                 inter_fusion, log_prior):
        super().__init__()
        self.names = list(modality_nets)
        self.modality_nets = nn.ModuleDict(modality_nets)
        for name, cols in modality_columns.items():
            self.register_buffer(f"columns_{name}", torch.as_tensor(cols, dtype=torch.long))
        self.inter_net = inter_net
        self.inter_fusion = inter_fusion
        if inter_columns is not None:
            self.register_buffer("inter_columns", torch.as_tensor(inter_columns, dtype=torch.long))
        self.register_buffer("log_prior", torch.as_tensor(log_prior, dtype=torch.float32))
        self.mode = "joint"

    def expert_log_softmax(self, x):
        """Each expert's log_softmax output, in order: modalities, then inter."""
        outputs, representations = [], []
        for name in self.names:
            x_m = x.index_select(1, getattr(self, f"columns_{name}"))
            net = self.modality_nets[name]
            if self.inter_net is not None and self.inter_fusion == "representation":
                rep = net.encode(x_m)
                representations.append(rep)
                outputs.append(torch.log_softmax(net.head(rep), dim=-1)
                               if hasattr(net, "head") else torch.log_softmax(net(x_m), dim=-1))
            else:
                outputs.append(torch.log_softmax(net(x_m), dim=-1))
        if self.inter_net is not None:
            if self.inter_fusion == "representation":
                inter_in = torch.cat(representations, dim=1)
            else:
                inter_in = x.index_select(1, self.inter_columns)
            outputs.append(torch.log_softmax(self.inter_net(inter_in), dim=-1))
        return outputs

    def forward(self, x, present):
        outputs = self.expert_log_softmax(x)
        mask = present.to(outputs[0].dtype)
        if self.mode == "pretrain":
            # An absent expert's rows give a constant (uniform) output: no gradient
            # from inputs that are not there.
            uniform = torch.full_like(outputs[0], -math.log(outputs[0].shape[1]))
            return torch.stack([
                torch.where(m[:, None] > 0, lp, uniform)
                for m, lp in zip(mask.unbind(dim=1), outputs)
            ])
        joint = sum(m[:, None] * lp for m, lp in zip(mask.unbind(dim=1), outputs))
        nobody = (mask.sum(dim=1) == 0).to(joint.dtype)[:, None]
        joint = joint + nobody * self.log_prior
        return joint - torch.logsumexp(joint, dim=-1, keepdim=True)


class _ProductLoss(nn.Module):
    """NLL of the product's log-probabilities; in pretraining, the sum of each expert's."""

    def __init__(self, weight=None):
        super().__init__()
        self.nll = nn.NLLLoss(weight=weight)

    def forward(self, y_pred, y_true):
        if y_pred.ndim == 3:
            return sum(self.nll(lp, y_true) for lp in y_pred)
        return self.nll(y_pred, y_true)
