/* The classify form: when the category or the level changes, the level follows the category
   (unless the petition was handed up: it stays where it was sent), the department is the
   category's only at the department level, and the help says what submitting does.
   The sentences come translated from the server (#classify-outcomes). */
(function () {
  "use strict";
  var box = document.querySelector("[data-classify-form]");
  var data = document.getElementById("classify-outcomes");
  if (!box || !data) return;
  var outcomes = JSON.parse(data.textContent);
  var category = box.querySelector("select[name=category]");
  var level = box.querySelector("select[name=level]");
  var assignee = box.querySelector("select[name=assignee]");
  var department = box.querySelector("select[name=department]");
  var help = box.querySelector("[data-testid=classify-help]");

  function chosenText(select) {
    var option = select.options[select.selectedIndex];
    return option && option.value ? option.text : "";
  }

  function explain() {
    var texts = outcomes[level.value];
    if (!texts) return;
    var option = category.options[category.selectedIndex];
    var who = level.value === "GRID" ? chosenText(assignee) : level.value === "DEPARTMENT" ? chosenText(department) : "";
    var text = who || (level.value !== "GRID" && level.value !== "DEPARTMENT") ? texts.chosen : texts.unchosen;
    help.textContent = text.replace("{who}", who).replace("{limit}", option ? option.dataset.limit : "");
  }

  function followCategory() {
    var option = category.options[category.selectedIndex];
    if (!option) return;
    if (!level.dataset.keep) level.value = option.dataset.level;
    followLevel();
  }

  function followLevel() {
    var option = category.options[category.selectedIndex];
    department.value = level.value === "DEPARTMENT" && option ? option.dataset.department || "" : "";
    explain();
  }

  category.addEventListener("change", followCategory);
  level.addEventListener("change", followLevel);
  assignee.addEventListener("change", explain);
  department.addEventListener("change", explain);
})();
