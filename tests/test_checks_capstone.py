"""check_capstone (notebook 14): the whole loop written two ways passes; each typical wrong part fails, saying what."""

from __future__ import annotations

import copy

import pytest
import torch
from check_helpers import not_written
from torch import nn

from optloop_helpers import get_device
from optloop_helpers.checks import CheckResult, check_capstone
from optloop_helpers.checks.capstone import CapstoneResult

# --- a right answer, the notebook's way (two nn.Parameters) ----------------------------------------------------


def make_data(weight, bias, device):
    X = torch.arange(0, 1, 0.02).unsqueeze(dim=1)
    y = weight * X + bias
    n_train = int(0.8 * len(X))
    return X[:n_train].to(device), y[:n_train].to(device), X[n_train:].to(device), y[n_train:].to(device)


class ManualModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(1))
        self.bias = nn.Parameter(torch.randn(1))

    def forward(self, x):
        return self.weights * x + self.bias


class LayerModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(in_features=1, out_features=1)

    def forward(self, x):
        return self.linear(x)


def make_loss_and_optimizer(model):
    return nn.L1Loss(), torch.optim.SGD(model.parameters(), lr=0.01)


def train_step(model, X, y, loss_fn, optimizer):
    model.train()
    y_pred = model(X)  # 1. Forward pass
    loss = loss_fn(y_pred, y)  # 2. Calculate the loss
    optimizer.zero_grad()  # 3. Zero the gradients
    loss.backward()  # 4. Backpropagation
    optimizer.step()  # 5. Step the optimizer
    return loss.item()


def test_step(model, X, y, loss_fn):
    model.eval()
    with torch.inference_mode():
        test_pred = model(X)
        return loss_fn(test_pred, y).item(), (test_pred - y).abs().mean().item()


test_step.__test__ = False


def train(model, data, loss_fn, optimizer, epochs=300, eval_every=20):
    X_train, y_train, X_test, y_test = data
    epoch_count, train_losses, test_losses = [], [], []
    for epoch in range(epochs):
        loss = train_step(model, X_train, y_train, loss_fn, optimizer)
        if epoch % eval_every == 0:
            test_loss, _ = test_step(model, X_test, y_test, loss_fn)
            epoch_count.append(epoch)
            train_losses.append(loss)
            test_losses.append(test_loss)
            print(f"epoch {epoch}: train {loss:.4f}, test {test_loss:.4f}")  # printing is fine
    return epoch_count, train_losses, test_losses


def save_and_load(model, path, model_class):
    torch.save(model.state_dict(), path)
    loaded = model_class()
    loaded.load_state_dict(torch.load(path, weights_only=True))
    return loaded


RIGHT = {
    "make_data": make_data,
    "manual_model": ManualModel,
    "linear_model": LayerModel,
    "make_loss_and_optimizer": make_loss_and_optimizer,
    "train_step": train_step,
    "test_step": test_step,
    "train": train,
    "save_and_load": save_and_load,
}

# --- the same, written another way: nn.Linear, Adam, MSE, no_grad, zero_grad after the step ---------------------


def make_data_by_slicing_from_the_end(weight, bias, device):
    X = torch.arange(0.0, 1.0, 0.02, device=device).reshape(-1, 1)
    y = X * weight + bias
    X_train, X_test = X[:-10], X[-10:]
    return X_train, y[:-10], X_test, y[-10:]


class ManualModelMatrix(nn.Module):
    """Parameters of shape (1, 1), the bias first, and a matrix product: still a straight line."""

    def __init__(self):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(1))
        self.weights = nn.Parameter(torch.randn(1, 1))

    def forward(self, x):
        return x @ self.weights + self.bias


class SequentialLayerModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(1, 1))

    def forward(self, x):
        return self.layers(x)


def adam_and_mse(model):
    return nn.MSELoss(), torch.optim.Adam(model.parameters(), lr=0.05)


def train_step_zero_last(model, X, y, loss_fn, optimizer):
    model.train()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    return float(loss.detach())


def eval_step_no_grad(model, X, y, loss_fn):
    model.eval()
    with torch.no_grad():
        pred = model(X)
    return float(loss_fn(pred, y)), float(torch.mean(torch.abs(pred - y)))


def train_with_dicts(model, data, loss_fn, optimizer, epochs, eval_every):
    X_train, y_train, X_test, y_test = data
    record = {"epoch": [], "train": [], "test": []}
    for epoch in range(epochs):
        loss = train_step_zero_last(model, X_train, y_train, loss_fn, optimizer)
        if epoch % eval_every == 0:
            record["epoch"].append(epoch)
            record["train"].append(loss)
            record["test"].append(eval_step_no_grad(model, X_test, y_test, loss_fn)[0])
    return record["epoch"], record["train"], record["test"]


def save_and_load_by_string(model, path, model_class):
    torch.save(model.state_dict(), str(path))
    new_model = model_class()
    state = torch.load(str(path), weights_only=True, map_location="cpu")
    new_model.load_state_dict(state)
    return new_model


OTHER_WAY = {
    "make_data": make_data_by_slicing_from_the_end,
    "manual_model": ManualModelMatrix,
    "linear_model": SequentialLayerModel,
    "make_loss_and_optimizer": adam_and_mse,
    "train_step": train_step_zero_last,
    "test_step": eval_step_no_grad,
    "train": train_with_dicts,
    "save_and_load": save_and_load_by_string,
}


# --- the same, moving everything to the device the notebook's way (`.to(device)` on what it is given) ------------

DEVICE = get_device()


def train_step_to_device(model, X, y, loss_fn, optimizer):
    model.train()
    X, y = X.to(DEVICE), y.to(DEVICE)
    loss = loss_fn(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def test_step_to_device(model, X, y, loss_fn):
    model.eval()
    X, y = X.to(DEVICE), y.to(DEVICE)
    with torch.inference_mode():
        test_pred = model(X)
        return loss_fn(test_pred, y).item(), (test_pred - y).abs().mean().item()


test_step_to_device.__test__ = False


def train_to_device(model, data, loss_fn, optimizer, epochs=300, eval_every=20):
    model.to(DEVICE)
    return train(model, tuple(t.to(DEVICE) for t in data), loss_fn, optimizer, epochs, eval_every)


TO_DEVICE = {**RIGHT, "train_step": train_step_to_device, "test_step": test_step_to_device, "train": train_to_device}


@pytest.mark.parametrize("answers", [RIGHT, OTHER_WAY, TO_DEVICE], ids=["manual-parameters", "nn-linear-and-variants", "to-device"])
def test_every_part_written_right_passes(answers):
    result = check_capstone(**answers)
    assert isinstance(result, CapstoneResult) and isinstance(result, CheckResult)
    assert result, result
    assert result.message == "8 of 8 parts right"
    assert [part.exercise for part in result.parts] == [
        "data", "manual model", "linear model", "loss and optimizer", "training step", "testing step",
        "training loop", "save and load",
    ]
    assert str(result).count("✅") == 9 and "❌" not in str(result)
    assert result._repr_html_().count("✅") == 9


def test_each_part_can_be_checked_on_its_own():
    for name, answer in RIGHT.items():
        result = check_capstone(**{name: answer})
        assert result and result.message == "1 of 1 parts right", result


def test_a_call_without_parts_says_what_to_pass():
    result = check_capstone()
    assert not result and "check_capstone(make_data=make_data)" in result.message


def test_the_learners_random_numbers_are_left_alone():
    torch.manual_seed(0)
    check_capstone(**RIGHT)
    after = torch.rand(1)
    torch.manual_seed(0)
    assert torch.equal(after, torch.rand(1))


# --- wrong answers: each breaks one part, and that part's message says how ---------------------------------------


def typed_in_data(weight, bias, device):
    return make_data(0.3, 0.9, device)  # the notebook's line, typed in


def data_without_feature_dimension(weight, bias, device):
    X = torch.arange(0, 1, 0.02)
    y = weight * X + bias
    return X[:40], y[:40], X[40:], y[40:]


def data_split_70_30(weight, bias, device):
    X = torch.arange(0, 1, 0.02).unsqueeze(dim=1)
    y = weight * X + bias
    return X[:35], y[:35], X[35:], y[35:]


def data_shuffled_before_the_split(weight, bias, device):
    X = torch.arange(0.0, 1.0, 0.02).reshape(-1, 1)[torch.randperm(50, generator=torch.Generator().manual_seed(0))]
    y = X * weight + bias
    return X[:40].to(device), y[:40].to(device), X[40:].to(device), y[40:].to(device)


def data_training_on_the_last_40(weight, bias, device):
    X = torch.arange(0, 1, 0.02).unsqueeze(dim=1)
    y = weight * X + bias
    return X[10:].to(device), y[10:].to(device), X[:10].to(device), y[:10].to(device)


class SwappedParametersModel(ManualModel):
    def forward(self, x):
        return self.bias * x + self.weights


class ShortNamesModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(1))
        self.b = nn.Parameter(torch.randn(1))

    def forward(self, x):
        return self.w * x + self.b


class SwappedLayerModel(LayerModel):
    def forward(self, x):
        return self.linear.bias * x + self.linear.weight


class SquaredModel(ManualModel):
    def forward(self, x):
        return self.weights * x**2 + self.bias


class ConstantModel(ManualModel):
    def forward(self, x):
        return 0.3 * x + 0.9  # the notebook's line, typed in


class ItemModel(ManualModel):
    def forward(self, x):
        return self.weights.item() * x + self.bias.item()


class TensorAttributesModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = torch.randn(1, requires_grad=True)  # not an nn.Parameter: the model has none
        self.bias = torch.randn(1, requires_grad=True)

    def forward(self, x):
        return self.weights * x + self.bias


class NoSuperInit(nn.Module):
    def __init__(self):
        self.weights = nn.Parameter(torch.randn(1))


class ManualWithLinear(LayerModel):
    pass


class WideLayerModel(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(1, 3)

    def forward(self, x):
        return self.linear(x).mean(dim=1, keepdim=True)


def optimizer_of_another_model(model):
    return nn.L1Loss(), torch.optim.SGD(ManualModel().parameters(), lr=0.01)


def loss_class_not_instance(model):
    return nn.L1Loss, torch.optim.SGD(model.parameters(), lr=0.01)


def learning_rate_too_small(model):
    return nn.L1Loss(), torch.optim.SGD(model.parameters(), lr=1e-6)


def train_step_without_zero_grad(model, X, y, loss_fn, optimizer):
    model.train()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    return loss.item()


def train_step_without_step(model, X, y, loss_fn, optimizer):
    model.train()
    loss = loss_fn(model(X), y)
    optimizer.zero_grad()
    loss.backward()
    return loss.item()


def eval_step_in_train_mode(model, X, y, loss_fn):
    with torch.inference_mode():
        pred = model(X)
        return loss_fn(pred, y).item(), (pred - y).abs().mean().item()


def eval_step_returning_tensors(model, X, y, loss_fn):
    model.eval()
    with torch.inference_mode():
        pred = model(X)
        return loss_fn(pred, y), (pred - y).abs().mean()


def eval_step_mse_as_metric(model, X, y, loss_fn):
    model.eval()
    with torch.inference_mode():
        pred = model(X)
        return loss_fn(pred, y).item(), ((pred - y) ** 2).mean().item()


def eval_step_mae_twice(model, X, y, loss_fn):
    model.eval()
    with torch.inference_mode():
        mae = (model(X) - y).abs().mean().item()
    return mae, mae  # loss_fn never used


def eval_step_loss_twice(model, X, y, loss_fn):
    model.eval()
    with torch.inference_mode():
        loss = loss_fn(model(X), y).item()
    return loss, loss


def train_with_fixed_numbers(model, data, loss_fn, optimizer, epochs=300, eval_every=20):
    return train(model, data, loss_fn, optimizer, 300, 20)  # ignores the arguments it is given


def train_testing_before_the_step(model, data, loss_fn, optimizer, epochs=300, eval_every=20):
    X_train, y_train, X_test, y_test = data
    epoch_count, train_losses, test_losses = [], [], []
    for epoch in range(epochs):
        if epoch % eval_every == 0:
            test_losses.append(test_step(model, X_test, y_test, loss_fn)[0])
        loss = train_step(model, X_train, y_train, loss_fn, optimizer)
        if epoch % eval_every == 0:
            epoch_count.append(epoch)
            train_losses.append(loss)
    return epoch_count, train_losses, test_losses


def train_testing_in_train_mode(model, data, loss_fn, optimizer, epochs=300, eval_every=20):
    X_train, y_train, X_test, y_test = data
    epoch_count, train_losses, test_losses = [], [], []
    for epoch in range(epochs):
        loss = train_step(model, X_train, y_train, loss_fn, optimizer)
        if epoch % eval_every == 0:
            epoch_count.append(epoch)
            train_losses.append(loss)
            test_losses.append(loss_fn(model(X_test), y_test).item())
    return epoch_count, train_losses, test_losses


def save_without_load_state_dict(model, path, model_class):
    torch.save(model.state_dict(), path)
    return model_class()  # a fresh, random model: the training is lost


def save_the_whole_model(model, path, model_class):
    torch.save(model, path)
    return torch.load(path, weights_only=False)


def load_without_weights_only(model, path, model_class):
    torch.save(model.state_dict(), path)
    loaded = model_class()
    loaded.load_state_dict(torch.load(path))
    return loaded


def return_the_same_model(model, path, model_class):
    torch.save(model.state_dict(), path)
    model.load_state_dict(torch.load(path, weights_only=True))
    return model


def deep_copy_instead(model, path, model_class):
    return copy.deepcopy(model)


WRONG = [
    ("make_data", typed_in_data, "for weight=-0.45 and bias=1.3, y is not weight * X + bias"),
    ("make_data", data_without_feature_dimension, "every tensor needs the shape [samples, 1]"),
    ("make_data", data_split_70_30, "split 80/20: 40 training and 10 test points, got 35 and 15"),
    ("make_data", data_shuffled_before_the_split, "the first 80% for training, in order"),
    ("make_data", data_training_on_the_last_40, "X_train must be the first 40 points"),
    ("manual_model", SwappedParametersModel, "forward swaps the two parameters"),
    ("manual_model", ShortNamesModel, "name the parameters self.weights and self.bias"),
    ("linear_model", SwappedLayerModel, "forward swaps the two parameters"),
    ("manual_model", SquaredModel, "the forward pass is not a straight line"),
    ("manual_model", ConstantModel, "forward is a straight line, but not one made of the model's parameters"),
    ("manual_model", ItemModel, "no gradient reaches the parameters"),
    ("manual_model", TensorAttributesModel, "exactly two parameters of one number each"),
    ("manual_model", NoSuperInit, "your code raised AttributeError"),
    ("manual_model", ManualWithLinear, "here write the two nn.Parameters yourself"),
    ("manual_model", ManualModel(), "pass the class itself"),
    ("linear_model", ManualModel, "the model needs one nn.Linear layer (self.linear = nn.Linear(1, 1)), got 0"),
    ("linear_model", WideLayerModel, "nn.Linear(in_features=1, out_features=1), got nn.Linear(1, 3)"),
    ("make_loss_and_optimizer", optimizer_of_another_model, "the optimizer must hold the parameters of the model"),
    ("make_loss_and_optimizer", loss_class_not_instance, "loss_fn is the class L1Loss: create one, L1Loss()"),
    ("make_loss_and_optimizer", learning_rate_too_small, "your choice learned the line weight="),
    ("train_step", train_step_without_zero_grad, "gradients not zeroed"),
    ("train_step", train_step_without_step, "call optimizer.step() (step 5)"),
    ("test_step", eval_step_in_train_mode, "the model was still in training mode: call model.eval()"),
    ("test_step", eval_step_returning_tensors, "return the test loss as a Python float"),
    ("test_step", eval_step_mse_as_metric, "the MAE (mean absolute error) is 1.3920"),
    ("test_step", eval_step_mae_twice, "the check passed loss_fn=nn.MSELoss(), so the test loss is"),
    ("test_step", eval_step_loss_twice, "the MAE (mean absolute error) is 1.3920"),
    ("train", train_with_fixed_numbers, "use the epochs and eval_every your function is given"),
    ("train", train_testing_before_the_step, "the test losses you recorded are not those of epochs [0, 15, 30]"),
    ("train", train_testing_in_train_mode, "call model.eval() and make the predictions inside"),
    ("save_and_load", save_without_load_state_dict, "the loaded model does not reload equal"),
    ("save_and_load", save_the_whole_model, "the file holds more than a state_dict"),
    ("save_and_load", load_without_weights_only, "pass weights_only=True to torch.load"),
    ("save_and_load", return_the_same_model, "you returned the model you were given"),
    ("save_and_load", deep_copy_instead, "nothing was saved at the path you are given"),
]


@pytest.mark.parametrize(("part", "answer", "message"), WRONG, ids=[getattr(a, "__name__", "instance") for _, a, _ in WRONG])
def test_a_wrong_part_fails_with_its_message_and_the_others_still_pass(part, answer, message):
    result = check_capstone(**{**RIGHT, part: answer})
    assert not result
    assert result.message == "7 of 8 parts right"
    wrong = [p for p in result.parts if not p.passed]
    assert len(wrong) == 1 and message in wrong[0].message, wrong


def test_at_least_eight_distinct_wrong_answers_are_tested():
    assert len({message for _, _, message in WRONG}) >= 8
    assert {part for part, _, _ in WRONG} == set(RIGHT)


def test_unwritten_parts_say_not_written_yet():
    stubs = {name: not_written for name in RIGHT if name not in ("manual_model", "linear_model")}

    class Stub(nn.Module):
        def __init__(self):
            raise NotImplementedError("Your turn: write Stub.__init__")

    result = check_capstone(**stubs, manual_model=Stub, linear_model=Stub)
    assert not result and result.message == "0 of 8 parts right"
    assert all("not written yet" in part.message for part in result.parts), result


# --- review fixes ------------------------------------------------------------------------------------------------


def test_a_part_whose_check_crashes_fails_alone(monkeypatch):
    from optloop_helpers.checks import capstone

    def broken(answer):
        raise RuntimeError("boom")

    monkeypatch.setitem(capstone._PARTS, "train_step", broken)
    result = check_capstone(**RIGHT)
    assert not result and result.message == "7 of 8 parts right"
    wrong = [p for p in result.parts if not p.passed]
    assert [p.exercise for p in wrong] == ["training step"] and "RuntimeError: boom" in wrong[0].message


@pytest.mark.parametrize(("part", "keyword"), [("manual_model", "manual_model=MyModel"), ("linear_model", "linear_model=MyModel")])
def test_an_instance_instead_of_a_class_names_the_real_keyword(part, keyword):
    result = check_capstone(**{part: ManualModel()})
    assert not result and keyword in result.parts[0].message


def train_with_float_epochs_at_fixed_numbers(model, data, loss_fn, optimizer, epochs=300, eval_every=20):
    epoch_count, train_losses, test_losses = train(model, data, loss_fn, optimizer, 300, 20)
    return [float(e) for e in epoch_count], train_losses, test_losses


def test_the_epochs_in_a_message_are_integers():
    message = check_capstone(train=train_with_float_epochs_at_fixed_numbers).parts[0].message
    assert "you tested at [0, 20, 40" in message, message


def eval_step_mae_without_abs(model, X, y, loss_fn):
    model.eval()
    with torch.inference_mode():
        pred = model(X)
        return loss_fn(pred, y).item(), (y - pred).mean().item()


def test_an_mae_without_abs_fails():
    result = check_capstone(test_step=eval_step_mae_without_abs)
    assert not result and "take the absolute value of each error before the mean" in result.parts[0].message, result
    assert check_capstone(test_step=test_step)


def train_recording_the_mae(model, data, loss_fn, optimizer, epochs=300, eval_every=20):
    X_train, y_train, X_test, y_test = data
    epoch_count, train_losses, test_losses = [], [], []
    for epoch in range(epochs):
        loss = train_step(model, X_train, y_train, loss_fn, optimizer)
        if epoch % eval_every == 0:
            epoch_count.append(epoch)
            train_losses.append(loss)
            test_losses.append(test_step_with_mae(model, X_test, y_test, loss_fn)[1])
    return epoch_count, train_losses, test_losses


def test_step_with_mae(model, X, y, loss_fn):
    model.eval()
    with torch.inference_mode():
        pred = model(X)
        return loss_fn(pred, y).item(), (pred - y).abs().mean().item()


test_step_with_mae.__test__ = False


def test_a_loop_recording_the_mae_as_the_test_loss_fails():
    result = check_capstone(train=train_recording_the_mae)
    assert not result and "you recorded the MAE as the test loss" in result.parts[0].message, result
    assert check_capstone(train=train)


def loss_of_the_mean_error(model):
    return (lambda pred, y: (pred - y).mean().abs()), torch.optim.SGD(model.parameters(), lr=0.01)


def scaled_down_l1(model):
    l1 = nn.L1Loss()
    return (lambda pred, y: 1e-3 * l1(pred, y)), torch.optim.SGD(model.parameters(), lr=0.01)


@pytest.mark.parametrize("answer", [loss_of_the_mean_error, scaled_down_l1])
def test_a_loss_that_learns_the_wrong_line_fails(answer):
    result = check_capstone(make_loss_and_optimizer=answer)
    assert not result and "not the true -0.45, 1.3" in result.parts[0].message, result
    assert check_capstone(make_loss_and_optimizer=make_loss_and_optimizer)


def save_and_load_with_imported_load(model, path, model_class):
    from torch import load

    torch.save(model.state_dict(), path)
    loaded = model_class()
    loaded.load_state_dict(load(path, weights_only=True))
    return loaded


def save_and_load_with_imported_load_without_weights_only(model, path, model_class):
    from torch import load

    torch.save(model.state_dict(), path)
    loaded = model_class()
    loaded.load_state_dict(load(path))
    return loaded


def test_torch_load_imported_by_name_is_seen():
    assert check_capstone(save_and_load=save_and_load_with_imported_load)
    result = check_capstone(save_and_load=save_and_load_with_imported_load_without_weights_only)
    assert not result and "pass weights_only=True to torch.load" in result.parts[0].message, result


class Float64Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(1, dtype=torch.float64))
        self.bias = nn.Parameter(torch.randn(1, dtype=torch.float64))

    def forward(self, x):
        return self.weights * x + self.bias


def test_a_float64_model_passes():
    assert check_capstone(manual_model=Float64Model)


def test_every_part_passes_after_set_default_dtype_float64():
    torch.set_default_dtype(torch.float64)
    try:
        result = check_capstone(**RIGHT)
    finally:
        torch.set_default_dtype(torch.float32)
    assert result and result.message == "8 of 8 parts right", result
