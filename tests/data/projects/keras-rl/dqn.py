"""A DQN agent (the cartpole example's set-up) on a tiny random environment: a few training steps."""
import numpy as np
from keras.models import Sequential
from keras.layers import Dense, Flatten
from keras.optimizers import Adam
from rl.agents.dqn import DQNAgent
from rl.policy import EpsGreedyQPolicy
from rl.memory import SequentialMemory


class RandomEnv(object):
    """Four random observations, two actions, episodes of ten steps."""

    def __init__(self):
        self.steps = 0

    def reset(self):
        self.steps = 0
        return np.random.rand(4)

    def step(self, action):
        self.steps += 1
        return np.random.rand(4), float(action), self.steps >= 10, {}

    def render(self, mode='human', close=False):
        pass

    def close(self):
        pass


model = Sequential()
model.add(Flatten(input_shape=(1, 4)))
model.add(Dense(16, activation='relu'))
model.add(Dense(2, activation='linear'))
memory = SequentialMemory(limit=100, window_length=1)
dqn = DQNAgent(model=model, nb_actions=2, memory=memory, nb_steps_warmup=10,
               target_model_update=1e-2, policy=EpsGreedyQPolicy())
dqn.compile(Adam(lr=1e-3), metrics=['mae'])
dqn.fit(RandomEnv(), nb_steps=30, visualize=False, verbose=0)
