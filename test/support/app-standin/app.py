"""A stand-in for the GourmetGram app the pipeline deploys (teaching-on-testbeds/gourmetgram,
branch `workflow`), written from its code so CI can run the real serving behaviour without the
upstream repository:

- the whole pickled model is loaded once at import, `torch.load("food11.pth")` with the
  installed torch's defaults, and never put into eval mode: the model file decides its mode;
- an image is opened, converted to RGB, resized to 256, centre-cropped to 224, turned into a
  tensor and ImageNet-normalised; the class is `torch.max(output, 1)` then `.item()`, so a model
  whose output is not one score vector per image raises and Flask answers HTTP 500;
- routes: `/` (the upload page), `/predict` (POST a multipart `file`; GET answers the warning
  badge), `/test` (classifies `instance/uploads/test_image.jpeg`), `/version` (reads
  `versions.txt`, 404 without it);
- Flask's threaded development server on port 8000, every request on its own thread.

Only two things differ, both for running beside other tests: `PORT` and `HOST` may override the
listening address (defaults 8000 and 0.0.0.0, as upstream).
"""
import os

import numpy as np
import torch
import torchvision.transforms as transforms
from flask import Flask, jsonify, render_template, request
from PIL import Image
from werkzeug.utils import secure_filename

# The upstream app's own list, in the order of the classifier's outputs.
CLASSES = np.array(["Bread", "Dairy product", "Dessert", "Egg", "Fried food", "Meat",
                    "Noodles/Pasta", "Rice", "Seafood", "Soup", "Vegetable/Fruit"])

app = Flask(__name__)
os.makedirs(os.path.join(app.instance_path, "uploads"), exist_ok=True)

model = torch.load("food11.pth", map_location=torch.device("cpu"))

def preprocess(image):
    # Built on every call, as upstream does.
    steps = transforms.Compose([
        transforms.Resize(256),
        transforms.CenterCrop(224),
        transforms.ToTensor(),
        transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225]),
    ])
    return steps(image).unsqueeze(0)


def classify(path):
    batch = preprocess(Image.open(path).convert("RGB"))
    with torch.no_grad():
        scores = model(batch)
        best, index = torch.max(scores, 1)
    return CLASSES[index.item()], torch.sigmoid(best).item()


@app.route("/", methods=["GET"])
def index():
    return render_template("index.html")


@app.route("/predict", methods=["GET", "POST"])
def predict():
    if request.method != "POST":
        return '<a href="#" class="badge badge-warning">Warning</a>'
    upload = request.files["file"]
    name = secure_filename(upload.filename)
    upload.save(os.path.join(app.instance_path, "uploads", name))
    label, _ = classify("./instance/uploads/" + name)
    return '<button type="button" class="btn btn-info btn-sm">' + str(label) + "</button>"


@app.route("/test", methods=["GET"])
def test():
    label, _ = classify("./instance/uploads/test_image.jpeg")
    return str(label)


@app.route("/version", methods=["GET"])
def version():
    try:
        with open("versions.txt") as f:
            return jsonify({"model_version": f.read().strip()})
    except FileNotFoundError:
        return jsonify({"error": "versions.txt not found"}), 404


if __name__ == "__main__":
    app.run(host=os.environ.get("HOST", "0.0.0.0"), port=int(os.environ.get("PORT", "8000")), debug=False)
