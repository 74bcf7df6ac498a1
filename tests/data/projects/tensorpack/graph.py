"""A tensorpack model in a TF1 graph (Conv2D, MaxPooling, FullyConnected in a tower): one step."""
import numpy as np
import tensorflow as tf
from tensorpack.models import Conv2D, FullyConnected, MaxPooling
from tensorpack.tfutils.tower import TowerContext

image = tf.placeholder(tf.float32, [None, 8, 8, 1], name='image')
label = tf.placeholder(tf.int32, [None], name='label')
with TowerContext('', is_training=True):
    x = Conv2D('conv0', image, 4, 3, activation=tf.nn.relu)
    x = MaxPooling('pool0', x, 2)
    logits = FullyConnected('fc', x, 2)
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=label, logits=logits))
train_op = tf.train.AdamOptimizer(1e-3).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run([train_op, loss], {image: np.random.rand(4, 8, 8, 1), label: [0, 1, 0, 1]})[1])
