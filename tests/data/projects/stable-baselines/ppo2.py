"""PPO2 with an MLP policy on a tiny gym environment (the README's usage): a few updates."""
import gym
import numpy as np
from gym import spaces
from stable_baselines import PPO2
from stable_baselines.common.vec_env import DummyVecEnv


class RandomEnv(gym.Env):
    """Four random observations, two actions, episodes of ten steps."""

    def __init__(self):
        self.observation_space = spaces.Box(low=0.0, high=1.0, shape=(4,), dtype=np.float32)
        self.action_space = spaces.Discrete(2)
        self.steps = 0

    def reset(self):
        self.steps = 0
        return self.observation_space.sample()

    def step(self, action):
        self.steps += 1
        return self.observation_space.sample(), float(action), self.steps >= 10, {}


env = DummyVecEnv([RandomEnv])
model = PPO2('MlpPolicy', env, n_steps=16, nminibatches=1, verbose=0)
model.learn(total_timesteps=32)
obs = env.reset()
print(model.predict(obs))
