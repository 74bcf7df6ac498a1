"""A tflearn DNN classifier on random data: one epoch, one predict."""
import numpy as np
import tflearn

net = tflearn.input_data(shape=[None, 4])
net = tflearn.fully_connected(net, 8, activation='relu')
net = tflearn.fully_connected(net, 2, activation='softmax')
net = tflearn.regression(net, optimizer='adam', loss='categorical_crossentropy')
model = tflearn.DNN(net, tensorboard_verbose=0, tensorboard_dir='tflearn_logs')
X = np.random.rand(16, 4)
Y = np.eye(2)[np.random.randint(0, 2, 16)]
model.fit(X, Y, n_epoch=1, batch_size=8, show_metric=False)
print(model.predict(X[:2]))
